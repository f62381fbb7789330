extension SyslogConfig {
    /// APISIX's schema of the stream `syslog` (apisix/stream/plugins/syslog.lua wrapped by the batch processor's),
    /// as the Admin API serves it, with Sluice's `format` and `tls_verify`.
    public static let jsonSchema = #"""
    {
      "type": "object",
      "properties": {
        "host": {"type": "string", "minLength": 1, "maxLength": 253},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535},
        "flush_limit": {"type": "integer", "minimum": 1, "maximum": 67108864, "default": 4096},
        "drop_limit": {"type": "integer", "minimum": 1, "maximum": 1073741824, "default": 1048576},
        "timeout": {"type": "integer", "minimum": 1, "maximum": 3600000, "default": 3000},
        "log_format": {"type": "object"},
        "sock_type": {"type": "string", "enum": ["tcp", "udp"], "default": "tcp"},
        "pool_size": {"type": "integer", "minimum": 5, "maximum": 5, "default": 5,
                      "description": "Sluice: one connection per syslog configuration, no pool to size"},
        "tls": {"type": "boolean", "default": false},
        "tls_verify": {"type": "boolean", "default": true,
                       "description": "Sluice: verify the syslog server's certificate against the system trust store"},
        "format": {"type": "string", "enum": ["rfc5424", "rfc3164"], "default": "rfc5424",
                   "description": "Sluice: the syslog header"},
        "name": {"type": "string", "maxLength": 256, "default": "stream sys logger"},
        "max_retry_count": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 0},
        "retry_delay": {"type": "integer", "minimum": 0, "maximum": 3600, "default": 1},
        "buffer_duration": {"type": "integer", "minimum": 1, "maximum": 86400, "default": 60},
        "inactive_timeout": {"type": "integer", "minimum": 1, "maximum": 86400, "default": 5},
        "batch_max_size": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1000},
        "_meta": {"type": "object", "properties": {"disable": {"type": "boolean"}}, "additionalProperties": false}
      },
      "required": ["host", "port"],
      "additionalProperties": false
    }
    """#
}
