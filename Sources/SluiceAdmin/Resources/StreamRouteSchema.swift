import SluiceConfig

/// A JSON Schema (draft 7) of the stream route the validator accepts, hand-written from `StreamRoute.decode` and
/// `Upstream.decode` (the upstream's definitions are `Upstream.jsonSchemaDefinitions`, shared with traffic-split's
/// schema). The validator stays the authority (it also checks references, CIDRs and plugin names).
enum StreamRouteSchema {
    /// The schema as a value; nil only if the literal below stopped being valid JSON (a unit test guards that).
    static var value: ConfigValue? { try? ConfigValue.parseJSON(Array(text.utf8)) }

    static let text = #"""
    {
      "$schema": "http://json-schema.org/draft-07/schema#",
      "title": "stream_route",
      "type": "object",
      "definitions": {
        "ip_or_cidr": {"type": "string", "description": "IPv4/IPv6 address or CIDR"},
        "ips": {"anyOf": [{"$ref": "#/definitions/ip_or_cidr"},
                          {"type": "array", "items": {"$ref": "#/definitions/ip_or_cidr"}}]},
        \#(Upstream.jsonSchemaDefinitions)
      },
      "properties": {
        "id": {"$ref": "#/definitions/id"},
        "name": {"type": "string", "maxLength": 100},
        "desc": {"type": "string"},
        "labels": {"type": "object"},
        "remote_addr": {"$ref": "#/definitions/ips"},
        "server_addr": {"$ref": "#/definitions/ips"},
        "server_port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "sni": {"type": "string", "maxLength": 253},
        "upstream": {"$ref": "#/definitions/upstream"},
        "upstream_id": {"$ref": "#/definitions/id"},
        "service_id": {"$ref": "#/definitions/id"},
        "plugins": {"type": "object",
                    "description": "stream plugins: /apisix/admin/plugins/list?subsystem=stream names them"},
        "priority": {"type": "integer", "description": "Sluice extension: higher wins ties"},
        "create_time": {"type": "integer"},
        "update_time": {"type": "integer"}
      },
      "anyOf": [{"required": ["upstream"]}, {"required": ["upstream_id"]}, {"required": ["service_id"]},
                {"required": ["plugins"], "description": "traffic-split or mqtt-proxy's upstream naming the nodes"}],
      "additionalProperties": false
    }
    """#
}
