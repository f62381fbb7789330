extension IPRestrictionConfig {
    /// APISIX's schema of `ip-restriction` (apisix/plugins/ip-restriction/init.lua with core.schema.ip_def), as the
    /// Admin API serves it.
    public static let jsonSchema = #"""
    {
      "type": "object",
      "definitions": {
        "ip_def": {"anyOf": [
          {"title": "IPv4", "type": "string", "format": "ipv4"},
          {"title": "IPv4/CIDR", "type": "string",
           "pattern": "^([0-9]{1,3}\\.){3}[0-9]{1,3}/([12]?[0-9]|3[0-2])$"},
          {"title": "IPv6", "type": "string", "format": "ipv6"},
          {"title": "IPv6/CIDR", "type": "string",
           "pattern": "^([a-fA-F0-9]{0,4}:){1,8}(:[a-fA-F0-9]{0,4}){0,8}([a-fA-F0-9]{0,4})?/[0-9]{1,3}$"}]}
      },
      "properties": {
        "message": {"type": "string", "minLength": 1, "maxLength": 1024, "default": "Your IP address is not allowed"},
        "response_code": {"type": "integer", "minimum": 403, "maximum": 404, "default": 403},
        "whitelist": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/ip_def"}},
        "blacklist": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/ip_def"}},
        "_meta": {"type": "object", "properties": {"disable": {"type": "boolean"}}, "additionalProperties": false}
      },
      "oneOf": [{"required": ["whitelist"]}, {"required": ["blacklist"]}],
      "additionalProperties": false
    }
    """#
}
