import Foundation

/// The CPU time the calling thread has used: what a cost check measures on a loaded box, where other processes
/// preempt the work (wall time grows) but add nothing to its CPU time. Tests of linear parsing and merging use it.
package func threadCPUTime() -> Duration {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return .seconds(t.tv_sec) + .nanoseconds(t.tv_nsec)
}
