extension Upstream {
    /// JSON Schema (draft 7) definitions of an upstream as `Upstream.decode` takes it — `id`, `seconds`, `node` and
    /// `upstream` — to be placed inside a schema's `definitions` (the stream route's, traffic-split's), which then
    /// refer to `#/definitions/upstream`. Hand-written from the decoder, which stays the authority.
    public static let jsonSchemaDefinitions = #"""
    "id": {"anyOf": [{"type": "string", "pattern": "^[a-zA-Z0-9-_.]{1,64}$"}, {"type": "integer", "minimum": 0}]},
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
      "key": {"enum": ["remote_addr", "server_addr", "server_port", "mqtt_client_id"]},
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
    """#
}
