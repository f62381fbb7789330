import SluiceConfig
import SluiceEngine

/// Everything a screen draws from, refreshed at each tick.
public struct ConsoleData {
    package var engine: EngineSnapshot
    public var config: ConfigSnapshot
    public var rates: RateTracker
    public var log: [LogEntry]
    /// The data file's errors while it is invalid (the running configuration is kept): every screen shows a banner.
    public var dataFileErrors: ConfigErrors?
    /// How etcd is doing when the configuration comes from it (nil: the data file); shown in the header.
    public var mirror: MirrorStatus?

    package init(engine: EngineSnapshot, config: ConfigSnapshot, rates: RateTracker = RateTracker(), log: [LogEntry] = [],
                dataFileErrors: ConfigErrors? = nil, mirror: MirrorStatus? = nil) {
        self.engine = engine
        self.config = config
        self.rates = rates
        self.log = log
        self.dataFileErrors = dataFileErrors
        self.mirror = mirror
    }
}

/// What the console does after a screen handled a key.
public enum ScreenAction {
    case none
    /// Open a screen on top (a form, an inspector).
    case push(any Screen)
    /// Close the top screen.
    case pop
    /// Ask yes/no; run `action` on yes.
    case confirm(String, () -> ScreenAction)
    /// A one-line message in the flash area.
    case flash(String, isError: Bool)
    /// Key not handled here: let the console try its global keys.
    case unhandled
    /// Several actions in order.
    case sequence([ScreenAction])
    /// A Store call running off the main thread (`StoreCall`): what it leads to comes when it is over.
    case store(StoreCall)
}

/// One screen of the console. Screens draw on a `Canvas` in the area they are given, so they are testable
/// without a terminal.
public protocol Screen: AnyObject {
    /// For `:name` jumps and the tab bar.
    var name: String { get }
    var title: String { get }
    /// The keys this screen answers to, for the footer and help.
    var bindings: [KeyBinding] { get }
    func draw(on canvas: Canvas, top: Int, height: Int, data: ConsoleData)
    func handle(_ key: Key, data: ConsoleData) -> ScreenAction
    /// A short mark beside the screen's tab (the Log's unseen errors), or nil.
    func badge(data: ConsoleData) -> String?
    /// True while printable keys are typed into something (a text field, a filter): the console's own
    /// one-letter keys (`?`, `:`, `q`, digits) are left to the screen then, and the footer leaves them out.
    var capturesText: Bool { get }
}

extension Screen {
    public func badge(data: ConsoleData) -> String? { nil }
    public var capturesText: Bool { false }
}
