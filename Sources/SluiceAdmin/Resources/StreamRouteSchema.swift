import SluiceConfig

/// A JSON Schema (draft 7) of the stream route the validator accepts, hand-written from `StreamRoute.decode` and
/// `Upstream.decode`. The validator stays the authority (it also checks references, CIDRs and plugin names).
enum StreamRouteSchema {
    /// The schema as a value; nil only if the literal below stopped being valid JSON (a unit test guards that).
    static var value: ConfigValue? { try? ConfigValue.parseJSON(Array(text.utf8)) }

    static let text = #"""
    {
      "$schema": "http://json-schema.org/draft-07/schema#",
      "title": "stream_route",
      "type": "object",
      "definitions": {
        "id": {"anyOf": [{"type": "string", "pattern": "^[a-zA-Z0-9-_.]{1,64}$"}, {"type": "integer", "minimum": 0}]},
        "ip_or_cidr": {"type": "string", "description": "IPv4/IPv6 address or CIDR"},
        "ips": {"anyOf": [{"$ref": "#/definitions/ip_or_cidr"},
                          {"type": "array", "items": {"$ref": "#/definitions/ip_or_cidr"}}]},
        "seconds": {"type": "number", "exclusiveMinimum": 0},
        "node": {"type": "object", "required": ["host", "port"], "properties": {
          "host": {"type": "string"}, "port": {"type": "integer", "minimum": 1, "maximum": 65535},
          "weight": {"type": "integer", "minimum": 0}, "priority": {"type": "integer"}, "metadata": {"type": "object"},
          "max_conns": {"type": "integer", "minimum": 0,
                        "description": "Sluice extension (nginx): at most this many connections at once; 0 = no limit"}}},
        "upstream": {"type": "object", "required": ["nodes"], "properties": {
          "id": {"$ref": "#/definitions/id"},
          "name": {"type": "string", "maxLength": 100},
          "type": {"enum": ["roundrobin", "chash", "least_conn", "ewma"]},
          "key": {"enum": ["remote_addr", "server_addr", "server_port"]},
          "hash_on": {"enum": ["vars"]},
          "nodes": {"anyOf": [
            {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
             "description": "\"host:port\": weight"},
            {"type": "array", "items": {"$ref": "#/definitions/node"}}]},
          "retries": {"type": "integer", "minimum": 0, "maximum": 65535},
          "retry_timeout": {"type": "number", "minimum": 0},
          "timeout": {"type": "object", "additionalProperties": false, "properties": {
            "connect": {"$ref": "#/definitions/seconds"}, "send": {"$ref": "#/definitions/seconds"},
            "read": {"$ref": "#/definitions/seconds"}}},
          "scheme": {"enum": ["tcp"]},
          "socket_keepalive": {"type": "boolean",
                               "description": "Sluice extension (nginx proxy_socket_keepalive): SO_KEEPALIVE to the nodes"},
          "checks": {"type": "object"},
          "desc": {"type": "string"}, "labels": {"type": "object"},
          "pass_host": {}, "upstream_host": {}, "keepalive_pool": {}, "tls": {},
          "create_time": {"type": "integer"}, "update_time": {"type": "integer"}},
          "additionalProperties": false}
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
