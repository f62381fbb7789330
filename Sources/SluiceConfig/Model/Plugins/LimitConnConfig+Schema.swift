extension LimitConnConfig {
    /// APISIX's schema of the stream `limit-conn` (apisix/stream/plugins/limit-conn.lua), as the Admin API serves
    /// it, with the HTTP plugin's fields Sluice also reads (each described).
    public static let jsonSchema = #"""
    {
      "type": "object",
      "properties": {
        "conn": {"type": "integer", "exclusiveMinimum": 0},
        "burst": {"type": "integer", "minimum": 0},
        "default_conn_delay": {"type": "number", "exclusiveMinimum": 0},
        "only_use_default_delay": {"type": "boolean", "default": false},
        "key": {"type": "string"},
        "key_type": {"type": "string", "enum": ["var", "var_combination"], "default": "var"},
        "rejected_code": {"type": "integer", "minimum": 200, "maximum": 599, "default": 503,
                          "description": "a stream connection is refused with 503; other codes are refused"},
        "rejected_msg": {"type": "string", "minLength": 1, "description": "written to the engine log"},
        "allow_degradation": {"type": "boolean", "default": false},
        "policy": {"type": "string", "enum": ["local"], "default": "local"},
        "_meta": {"type": "object", "properties": {"disable": {"type": "boolean"}}, "additionalProperties": false}
      },
      "required": ["conn", "burst", "default_conn_delay", "key"],
      "additionalProperties": false
    }
    """#
}
