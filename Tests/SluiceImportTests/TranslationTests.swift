import Foundation
import Testing
import SluiceConfig
@testable import SluiceImport

/// Table-driven: one nginx snippet, the Sluice values it must give (`path = value`, `config:` for config.yaml)
/// and the notes it must print (`line: kind: subject`).
struct TranslationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var nginx: String
        var values: [String: String] = [:]
        var absent: [String] = []
        var notes: [String] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "upstream with hash consistent, weight, max_fails, fail_timeout, backup, down", nginx: """
            upstream rdp {
                hash $remote_addr consistent;
                server 10.0.0.1:3389 weight=2 max_fails=3 fail_timeout=30s;
                server 10.0.0.2:3389 backup;
                server 10.0.0.3:3389 down;
            }
            server { listen 3390; proxy_pass rdp; }
            """,
             values: ["upstreams/0/id": "rdp", "upstreams/0/type": "chash", "upstreams/0/key": "remote_addr",
                      "upstreams/0/nodes/0/host": "10.0.0.1", "upstreams/0/nodes/0/weight": "2",
                      "upstreams/0/nodes/0/priority": "0", "upstreams/1/nodes/1/priority": "",
                      "upstreams/0/nodes/1/priority": "-1", "upstreams/0/nodes/2/weight": "1",
                      "upstreams/0/nodes/0/max_fails": "3", "upstreams/0/nodes/0/fail_timeout": "30",
                      "upstreams/0/nodes/1/max_fails": "", "upstreams/0/nodes/2/state": "maint",
                      "upstreams/0/nodes/0/state": "",
                      "stream_routes/0/id": "listen-3390", "stream_routes/0/server_port": "3390",
                      "stream_routes/0/upstream_id": "rdp", "config:stream_proxy/tcp/0": "3390"]),
        Case(name: "max_fails alone makes the list form; bad values are reported",
             nginx: "upstream u { server 10.0.0.1:1 max_fails=0; server 10.0.0.2:1 fail_timeout=0 max_fails=x; }\n"
                 + "server { listen 1; proxy_pass u; }",
             values: ["upstreams/0/nodes/0/max_fails": "0", "upstreams/0/nodes/0/priority": "",
                      "upstreams/0/nodes/1/host": "10.0.0.2", "upstreams/0/nodes/1/fail_timeout": ""],
             notes: ["1: not translated: fail_timeout=0", "1: not translated: max_fails=x"]),
        Case(name: "least_conn", nginx: "upstream u { least_conn; server 10.0.0.1:1; }\nserver { listen 1; proxy_pass u; }",
             values: ["upstreams/0/type": "least_conn", "upstreams/0/nodes/10.0.0.1:1": "1"]),
        Case(name: "random", nginx: "upstream u { random; server 10.0.0.1:1; }\nserver { listen 1; proxy_pass u; }",
             values: ["upstreams/0/type": "roundrobin"], notes: ["1: approximate: random"]),
        Case(name: "random two least_conn", nginx: "upstream u {\nrandom two least_conn; server h:1; }\nserver { listen 1; proxy_pass u; }",
             values: ["upstreams/0/type": "least_conn", "upstreams/0/nodes/h:1": "1"],
             notes: ["2: approximate: random two least_conn"]),
        Case(name: "plain hash", nginx: "upstream u { hash $remote_addr; server 10.0.0.1:1; }\nserver { listen 1; proxy_pass u; }",
             values: ["upstreams/0/type": "chash", "upstreams/0/key": "remote_addr"],
             notes: ["1: approximate: hash $remote_addr"]),
        Case(name: "hash on server_port and binary_remote_addr",
             nginx: "upstream u { hash $server_port consistent; server 10.0.0.1:1; }\nupstream v {\nhash $binary_remote_addr consistent; server 10.0.0.1:2; }\nserver { listen 1; proxy_pass u; }\nserver { listen 2; proxy_pass v; }",
             values: ["upstreams/0/key": "server_port", "upstreams/1/key": "remote_addr"],
             notes: ["3: approximate: hash $binary_remote_addr consistent"]),
        Case(name: "hash on a variable Sluice lacks",
             nginx: "upstream u { hash $ssl_preread_server_name; server 10.0.0.1:1; }\nserver { listen 1; proxy_pass u; }",
             values: ["upstreams/0/type": "roundrobin"], absent: ["upstreams/0/key"],
             notes: ["1: not translated: hash $ssl_preread_server_name"]),
        Case(name: "node parameters Sluice lacks; max_conns with a zone is exact", nginx: """
            upstream u {
                zone u 64k;
                server a.example:1 resolve max_conns=10;
                server unix:/run/x.sock;
                server nohost;
                server b.example:1 max_conns=0;
            }
            server { listen 1; proxy_pass u; }
            """,
             values: ["upstreams/0/nodes/0/host": "a.example", "upstreams/0/nodes/0/max_conns": "10",
                      "upstreams/0/nodes/1/host": "b.example", "upstreams/0/nodes/1/max_conns": ""],
             notes: ["2: not needed: zone u 64k", "3: not needed: resolve",
                     "4: not translated: server unix:/run/x.sock", "5: not translated: server nohost"]),
        Case(name: "max_conns without a zone is counted per gateway; bad values are reported", nginx: """
            upstream u { server 10.0.0.1:1 max_conns=2; server 10.0.0.2:1 max_conns=-1; server 10.0.0.3:1 max_conns; }
            server { listen 1; proxy_pass u; }
            """,
             values: ["upstreams/0/nodes/0/max_conns": "2", "upstreams/0/nodes/1/max_conns": "",
                      "upstreams/0/nodes/2/host": "10.0.0.3"],
             notes: ["1: approximate: max_conns=2", "1: not translated: max_conns=-1",
                     "1: not translated: max_conns"]),
        Case(name: "listen forms", nginx: """
            server {
                listen 127.0.0.1:7001;
                listen [::1]:7001;
                proxy_pass 127.0.0.1:9;
            }
            server { listen [::]:7002 reuseport; listen *:7003 backlog=10; proxy_pass 127.0.0.1:9; }
            server { listen 7004 proxy_protocol; proxy_pass 127.0.0.1:9; }
            server { listen 7005-7006; proxy_pass 127.0.0.1:9; }
            server { listen unix:/x; proxy_pass 127.0.0.1:9; }
            """,
             values: ["config:stream_proxy/tcp/0": "127.0.0.1:7001", "config:stream_proxy/tcp/1": "[::1]:7001",
                      "config:stream_proxy/tcp/2": "[::]:7002", "config:stream_proxy/tcp/3": "7003",
                      "config:stream_proxy/tcp/4/addr": "7004", "config:stream_proxy/tcp/4/proxy_protocol": "true",
                      "config:stream_proxy/tcp/5": "7005-7006",
                      "stream_routes/0/id": "listen-127.0.0.1-7001", "stream_routes/0/server_addr": "127.0.0.1",
                      "stream_routes/1/id": "listen-..1-7001", "stream_routes/1/server_addr": "::1",
                      "stream_routes/2/id": "listen-7002", "stream_routes/3/id": "listen-7003",
                      "stream_routes/5/id": "listen-7005", "stream_routes/6/id": "listen-7006",
                      "stream_routes/0/upstream/nodes/127.0.0.1:9": "1"],
             absent: ["stream_routes/2/server_addr"],
             notes: ["6: not needed: reuseport", "6: not translated: backlog=10", "9: not translated: listen unix:/x",
                     "9: not translated: server"]),
        Case(name: "timeouts in every unit", nginx: """
            proxy_connect_timeout 30000ms;
            server { listen 1; proxy_timeout 5m; proxy_pass 127.0.0.1:9; }
            server { listen 2; proxy_timeout 1h; proxy_connect_timeout 10s; proxy_pass 127.0.0.1:9; }
            server { listen 3; proxy_timeout 1h30m; proxy_pass 127.0.0.1:9; }
            server { listen 4; proxy_timeout 500ms; proxy_pass 127.0.0.1:9; }
            server { listen 5; proxy_timeout 10x; proxy_pass 127.0.0.1:9; }
            server { listen 6; proxy_timeout 0; proxy_pass 127.0.0.1:9; }
            """,
             values: ["stream_routes/0/upstream/timeout/connect": "30", "stream_routes/0/upstream/timeout/read": "300",
                      "stream_routes/0/upstream/timeout/send": "300",
                      "stream_routes/1/upstream/timeout/connect": "10", "stream_routes/1/upstream/timeout/read": "3600",
                      "stream_routes/2/upstream/timeout/read": "5400", "stream_routes/3/upstream/timeout/read": "0.5",
                      "stream_routes/4/upstream/timeout/connect": "30"],
             absent: ["stream_routes/4/upstream/timeout/read"],
             notes: ["6: not translated: proxy_timeout 10x", "7: not translated: proxy_timeout 0"]),
        Case(name: "next upstream", nginx: """
            server { listen 1; proxy_next_upstream off; proxy_pass 127.0.0.1:9; }
            server { listen 2; proxy_next_upstream_tries 3; proxy_next_upstream_timeout 10s; proxy_pass 127.0.0.1:9; }
            server { listen 3; proxy_next_upstream_tries 0; proxy_pass 127.0.0.1:9; }
            """,
             values: ["stream_routes/0/upstream/retries": "0", "stream_routes/1/upstream/retries": "2",
                      "stream_routes/1/upstream/retry_timeout": "10"],
             absent: ["stream_routes/2/upstream/retries"]),
        Case(name: "proxy_protocol to the node, proxy_ssl", nginx: """
            server { listen 1; proxy_protocol on; proxy_pass 127.0.0.1:9; }
            server { listen 2; proxy_ssl on; proxy_ssl_verify on; proxy_ssl_name db.internal; proxy_pass 127.0.0.1:9; }
            """,
             values: ["stream_routes/0/upstream/proxy_protocol": "v1", "stream_routes/1/upstream/scheme": "tls",
                      "stream_routes/1/upstream/tls/verify": "true", "stream_routes/1/upstream/tls/sni": "db.internal"]),
        Case(name: "UDP with proxy_responses and the nginx idle default", nginx: """
            server { listen 5353 udp; proxy_responses 1; proxy_pass 127.0.0.1:53; }
            server { listen 5354 udp; proxy_timeout 20s; proxy_pass 127.0.0.1:53; }
            """,
             values: ["config:stream_proxy/udp/0/addr": "5353", "config:stream_proxy/udp/0/proxy_responses": "1",
                      "config:stream_proxy/udp/1": "5354", "stream_routes/0/upstream/timeout/read": "600",
                      "stream_routes/1/upstream/timeout/read": "20"],
             absent: ["config:stream_proxy/tcp"]),
        Case(name: "TCP and UDP servers on one port get services", nginx: """
            server { listen 53; proxy_pass 127.0.0.1:5301; }
            server { listen 53 udp; proxy_pass 127.0.0.1:5302; }
            server { listen 54; listen 54 udp; proxy_pass 127.0.0.1:5401; }
            """,
             values: ["stream_routes/0/id": "listen-53", "stream_routes/0/service_id": "listen-53",
                      "stream_routes/1/id": "listen-53-udp", "services/1/scheme": "udp", "services/0/scheme": "tcp",
                      "services/1/upstream/nodes/127.0.0.1:5302": "1", "stream_routes/2/id": "listen-54",
                      "stream_routes/2/upstream/nodes/127.0.0.1:5401": "1"],
             absent: ["stream_routes/0/upstream", "stream_routes/3", "services/2"]),
        Case(name: "rates, access control and limits become plugins; keepalive an upstream field", nginx: """
            limit_conn_zone $binary_remote_addr zone=per_ip:10m;
            server {
                listen 1;
                proxy_upload_rate 10k;
                proxy_download_rate 0;
                proxy_socket_keepalive on;
                allow 10.0.0.0/8;
                deny all;
                limit_conn per_ip 10;
                proxy_pass 127.0.0.1:9;
            }
            """,
             values: ["stream_routes/0/id": "listen-1",
                      "stream_routes/0/plugins/limit-bandwidth/upload_rate": "10240",
                      "stream_routes/0/plugins/limit-bandwidth/download_rate": "",
                      "stream_routes/0/plugins/ip-restriction/whitelist/0": "10.0.0.0/8",
                      "stream_routes/0/plugins/ip-restriction/whitelist/1": "",
                      "stream_routes/0/plugins/limit-conn/conn": "10",
                      "stream_routes/0/plugins/limit-conn/burst": "0",
                      "stream_routes/0/plugins/limit-conn/key": "remote_addr",
                      "stream_routes/0/plugins/limit-conn/key_type": "",
                      "stream_routes/0/upstream/socket_keepalive": "true"],
             notes: ["5: approximate: proxy_upload_rate/proxy_download_rate"]),
        Case(name: "proxy_socket_keepalive inherited from stream {}, off again in one server, not on UDP", nginx: """
            proxy_socket_keepalive on;
            upstream db { server 10.0.0.1:3306; }
            server { listen 3306; proxy_pass db; }
            server { listen 3307; proxy_socket_keepalive off; proxy_pass db; }
            server { listen 53 udp; proxy_pass 10.0.0.1:53; }
            """,
             values: ["upstreams/0/id": "db", "upstreams/0/socket_keepalive": "true",
                      "upstreams/1/id": "db-listen-3307", "upstreams/1/socket_keepalive": "",
                      "stream_routes/2/upstream/socket_keepalive": ""]),
        Case(name: "deny rules before allow all are a blacklist; rules after all are never reached", nginx: """
            server {
                listen 1;
                deny 10.0.0.1;
                allow 192.168.0.0/16;
                deny 2001:db8::/32;
                allow all;
                deny 172.16.0.0/12;
                proxy_pass 127.0.0.1:9;
            }
            """,
             values: ["stream_routes/0/plugins/ip-restriction/blacklist/0": "10.0.0.1/32",
                      "stream_routes/0/plugins/ip-restriction/blacklist/1": "2001:db8::/32",
                      "stream_routes/0/plugins/ip-restriction/blacklist/2": ""],
             notes: ["7: not needed: deny 172.16.0.0/12"]),
        Case(name: "deny all alone refuses everyone; allow all alone needs nothing", nginx: """
            server { listen 1; deny all; proxy_pass 127.0.0.1:9; }
            server { listen 2; allow all; proxy_pass 127.0.0.1:9; }
            """,
             values: ["stream_routes/0/plugins/ip-restriction/blacklist/0": "0.0.0.0/0",
                      "stream_routes/0/plugins/ip-restriction/blacklist/1": "::/0",
                      "stream_routes/1/plugins": ""]),
        Case(name: "an ordered list that no single list expresses is not translated", nginx: """
            server {
                listen 1;
                deny 10.0.0.1;
                allow 10.0.0.0/8;
                deny all;
                proxy_pass 127.0.0.1:9;
            }
            """,
             values: ["stream_routes/0/plugins": ""],
             notes: ["3: not translated: allow/deny"]),
        Case(name: "a deny inside an earlier allow decides nothing", nginx: """
            server { listen 1; allow 10.0.0.0/8; deny 10.1.0.0/16; proxy_pass 127.0.0.1:9; }
            """,
             values: ["stream_routes/0/plugins": ""]),
        Case(name: "a server's own rules replace the stream level's; others inherit them", nginx: """
            allow 127.0.0.1;
            deny all;
            proxy_download_rate 1m;
            limit_conn_zone "$binary_remote_addr:$server_port" zone=pair:1m;
            limit_conn pair 2;
            server { listen 1; proxy_pass 127.0.0.1:9; }
            server { listen 2; deny 10.0.0.0/8; limit_conn pair 5; proxy_pass 127.0.0.1:9; }
            """,
             values: ["stream_routes/0/plugins/ip-restriction/whitelist/0": "127.0.0.1/32",
                      "stream_routes/0/plugins/limit-conn/conn": "2",
                      "stream_routes/0/plugins/limit-conn/key_type": "var_combination",
                      "stream_routes/0/plugins/limit-conn/key": "$remote_addr:$server_port",
                      "stream_routes/0/plugins/limit-bandwidth/download_rate": "1048576",
                      "stream_routes/1/plugins/ip-restriction/blacklist/0": "10.0.0.0/8",
                      "stream_routes/1/plugins/limit-conn/conn": "5",
                      "stream_routes/1/plugins/limit-bandwidth/download_rate": "1048576"],
             notes: ["5: approximate: limit_conn pair 2"]),
        Case(name: "limit_conn problems are reported", nginx: """
            limit_conn_zone $host zone=byhost:1m;
            limit_conn_zone $server_port zone=port:1m;
            server { listen 1; limit_conn byhost 1; proxy_pass 127.0.0.1:9; }
            server { listen 2; limit_conn nozone 1; proxy_pass 127.0.0.1:9; }
            server { listen 3; limit_conn port 1; limit_conn port 2; limit_conn_status 429; proxy_pass 127.0.0.1:9; }
            """,
             values: ["stream_routes/0/plugins": "", "stream_routes/1/plugins": "",
                      "stream_routes/2/plugins/limit-conn/key": "server_port",
                      "stream_routes/2/plugins/limit-conn/conn": "1"],
             notes: ["1: not translated: limit_conn_zone $host zone=byhost:1m",
                     "4: not translated: limit_conn nozone 1", "5: not translated: limit_conn port 2",
                     "5: approximate: limit_conn_status 429"]),
        Case(name: "resolver and resolver_timeout become Sluice's resolver; resolve is not needed", nginx: """
            resolver 10.0.0.2 [::1] 10.0.0.3:5353 valid=30s ipv6=off dns.example;
            resolver_timeout 3s;
            upstream u { server db.internal:3306 resolve; }
            server { listen 1; resolver 10.9.9.9; proxy_pass u; }
            """,
             values: ["config:dns_resolver/0": "10.0.0.2", "config:dns_resolver/1": "::1",
                      "config:dns_resolver/2": "10.0.0.3:5353", "config:dns_resolver/3": "",
                      "config:dns_resolver_valid": "30", "config:resolver_timeout": "3",
                      "upstreams/0/nodes/db.internal:3306": "1"],
             notes: ["1: approximate: ipv6=off", "1: not translated: dns.example", "3: not needed: resolve",
                     "4: not translated: resolver 10.9.9.9"]),
        Case(name: "log_format and access_log, global and per server", nginx: """
            log_format basic '$remote_addr [$time_local] $protocol $status $bytes_sent '
                             '$bytes_received $session_time "$upstream_addr" $ssl_preread_server_name $nginx_version';
            access_log /var/log/nginx/stream.log basic buffer=32k;
            error_log /var/log/nginx/error.log;
            server { listen 1; access_log /var/log/nginx/one.log basic; proxy_pass 127.0.0.1:9; }
            server { listen 2; access_log off; proxy_pass 127.0.0.1:9; }
            server { listen 3; proxy_pass 127.0.0.1:9; }
            server { listen 4; access_log /var/log/nginx/stream.log basic; proxy_pass 127.0.0.1:9; }
            """,
             values: ["config:access_log/path": "/var/log/nginx/stream.log",
                      "config:access_log/format": "$remote_addr [$time_local] $protocol $status $bytes_sent "
                        + "$bytes_received $session_time \"$upstream_addr\" $ssl_server_name -",
                      "config:stream_proxy/tcp/0/addr": "1",
                      "config:stream_proxy/tcp/0/access_log/path": "/var/log/nginx/one.log",
                      "config:stream_proxy/tcp/0/access_log/format": "$remote_addr [$time_local] $protocol $status "
                        + "$bytes_sent $bytes_received $session_time \"$upstream_addr\" $ssl_server_name -",
                      "config:stream_proxy/tcp/1/addr": "2", "config:stream_proxy/tcp/1/access_log": "false",
                      "config:stream_proxy/tcp/2": "3", "config:stream_proxy/tcp/3": "4"],
             notes: ["1: approximate: $ssl_preread_server_name", "1: not translated: $nginx_version",
                     "3: not needed: buffer=32k", "4: not translated: error_log /var/log/nginx/error.log"]),
        Case(name: "a server's access_log alone is its listener's; a second one in a server is reported", nginx: """
            log_format f '$remote_addr';
            server { listen 1; listen 2 udp; access_log /tmp/a.log f; access_log /tmp/b.log f; proxy_pass 127.0.0.1:9; }
            """,
             values: ["config:stream_proxy/tcp/0/access_log/path": "/tmp/a.log",
                      "config:stream_proxy/udp/0/access_log/format": "$remote_addr"],
             absent: ["config:access_log"],
             notes: ["2: not translated: access_log /tmp/b.log f"]),
        Case(name: "access_log off in stream {} and a server's own", nginx: """
            log_format f '$remote_addr';
            access_log off;
            server { listen 1; proxy_pass 127.0.0.1:9; }
            server { listen 2; access_log /tmp/two.log f; proxy_pass 127.0.0.1:9; }
            server { listen 3; access_log off; proxy_pass 127.0.0.1:9; }
            """,
             values: ["config:stream_proxy/tcp/0": "1", "config:stream_proxy/tcp/1/access_log/path": "/tmp/two.log",
                      "config:stream_proxy/tcp/2": "3"],
             absent: ["config:access_log"]),
        Case(name: "a relative access_log path", nginx: """
            log_format f '$remote_addr';
            access_log logs/stream.log f;
            server { listen 1; proxy_pass 127.0.0.1:9; }
            """,
             values: ["config:access_log/path": "logs/stream.log"],
             notes: ["2: approximate: logs/stream.log"]),
        Case(name: "SNI map with ssl_preread", nginx: """
            upstream web { server 10.0.0.1:443; }
            map $ssl_preread_server_name $backend {
                hostnames;
                db.example.com    127.0.0.1:5432;
                .example.org      web;
                *.example.net     web;
                ~^www\\d+         web;
                "bad name"        web;
                default           web;
            }
            server { listen 443; ssl_preread on; proxy_pass $backend; }
            """,
             values: ["config:stream_proxy/tcp/0/addr": "443", "config:stream_proxy/tcp/0/tls_passthrough": "true",
                      "stream_routes/0/id": "listen-443-db.example.com", "stream_routes/0/sni": "db.example.com",
                      "stream_routes/0/upstream/nodes/127.0.0.1:5432": "1",
                      "stream_routes/1/sni": "example.org", "stream_routes/2/sni": "*.example.org",
                      "stream_routes/2/id": "listen-443-any.example.org", "stream_routes/3/sni": "*.example.net",
                      "stream_routes/4/id": "listen-443", "stream_routes/4/upstream_id": "web"],
             absent: ["stream_routes/4/sni", "stream_routes/5"],
             notes: ["7: not translated: ~^www\\d+ web", "8: not translated: bad name web",
                     "11: approximate: ssl_preread on"]),
        Case(name: "regular-expression map keys that mean exact names or *.domain", nginx: """
            upstream web { server 10.0.0.1:443; }
            map $ssl_preread_server_name $backend {
                hostnames;
                *.example.net                 web;
                ~^db\\.example\\.com$           127.0.0.1:5432;
                ~*^(.+)\\.example\\.org$        127.0.0.1:5433;
                ~\\.example\\.io$               127.0.0.1:5434;
                ~^(.*\\.)?example\\.dev$        127.0.0.1:5435;
                ~^.*\\.a\\.example\\.net$       127.0.0.1:5436;
                ~^.*\\.sub\\.example\\.org$     127.0.0.1:5437;
                ~^[a-z]+\\.example\\.com$       web;
                ~^www\\.                       web;
                ~^db.example.com$             web;
            }
            server { listen 443; ssl_preread on; proxy_pass $backend; }
            """,
             values: ["stream_routes/0/sni": "*.example.net", "stream_routes/1/sni": "db.example.com",
                      "stream_routes/1/upstream/nodes/127.0.0.1:5432": "1", "stream_routes/2/sni": "*.example.org",
                      "stream_routes/3/sni": "*.example.io", "stream_routes/4/sni": "example.dev",
                      "stream_routes/5/sni": "*.example.dev", "stream_routes/5/upstream/nodes/127.0.0.1:5435": "1"],
             absent: ["stream_routes/6"],
             notes: ["5: approximate: ~^db\\.example\\.com$ 127.0.0.1:5432",
                     "9: not needed: ~^.*\\.a\\.example\\.net$ 127.0.0.1:5436",
                     "10: not needed: ~^.*\\.sub\\.example\\.org$ 127.0.0.1:5437",
                     "11: not translated: ~^[a-z]+\\.example\\.com$ web", "12: not translated: ~^www\\. web",
                     "13: not translated: ~^db.example.com$ web"]),
        Case(name: "wildcard-shaped map keys without hostnames are plain strings in nginx", nginx: """
            map $ssl_preread_server_name $backend {
                db.example.com    127.0.0.1:5432;
                *.example.net     127.0.0.1:5433;
                .example.org      127.0.0.1:5434;
                default           127.0.0.1:5435;
            }
            server { listen 443; ssl_preread on; proxy_pass $backend; }
            """,
             values: ["stream_routes/0/sni": "db.example.com", "stream_routes/1/id": "listen-443"],
             absent: ["stream_routes/1/sni", "stream_routes/2"],
             notes: ["3: not translated: *.example.net 127.0.0.1:5433", "4: not translated: .example.org 127.0.0.1:5434"]),
        Case(name: "a map Sluice cannot route by", nginx: """
            map $remote_addr $b { default 127.0.0.1:1; }
            server { listen 1; proxy_pass $b; }
            server { listen 2; proxy_pass nosuch; }
            """,
             absent: ["stream_routes"],
             notes: ["1: not translated: map $remote_addr $b", "2: not translated: proxy_pass $b",
                     "3: not translated: proxy_pass nosuch"]),
        Case(name: "one upstream, two servers with different settings", nginx: """
            upstream db { server 10.0.0.1:3306; }
            server { listen 3306; proxy_pass db; }
            server { listen 3307; proxy_pass db; }
            server { listen 3308; proxy_timeout 1h; proxy_pass db; }
            upstream unused { server 10.0.0.9:1; }
            """,
             values: ["upstreams/0/id": "db", "upstreams/1/id": "db-listen-3308", "upstreams/1/timeout/read": "3600",
                      "stream_routes/1/upstream_id": "db", "stream_routes/2/upstream_id": "db-listen-3308",
                      "upstreams/2/id": "unused"],
             notes: ["4: approximate: proxy_pass db"]),
        Case(name: "a specific address beside the wildcard listener of its port", nginx: """
            server { listen 53; proxy_pass 127.0.0.1:5301; }
            server { listen 127.0.0.2:53; proxy_pass 127.0.0.1:5302; }
            server { listen 7000; listen 7000; proxy_pass 127.0.0.1:5302; }
            """,
             values: ["config:stream_proxy/tcp/0": "53", "config:stream_proxy/tcp/1": "7000",
                      "stream_routes/0/id": "listen-53", "stream_routes/1/id": "listen-127.0.0.2-53",
                      "stream_routes/1/server_addr": "127.0.0.2", "stream_routes/1/upstream/nodes/127.0.0.1:5302": "1"],
             absent: ["config:stream_proxy/tcp/2", "stream_routes/0/server_addr"],
             notes: ["2: approximate: listen 127.0.0.2:53", "3: not translated: listen 7000"]),
        Case(name: "an upstream name that is not a valid id", nginx: """
            upstream pool@eu { server 10.0.0.1:1; }
            server { listen 1; proxy_pass pool@eu; }
            """,
             values: ["upstreams/0/id": "pool-eu", "stream_routes/0/upstream_id": "pool-eu"],
             notes: ["1: approximate: upstream pool@eu"]),
        Case(name: "set_real_ip_from", nginx: "set_real_ip_from 10.0.0.0/8;\nset_real_ip_from nonsense;\nserver { listen 1 proxy_protocol; proxy_pass 127.0.0.1:9; }",
             values: ["config:stream_proxy/real_ip_from/0": "10.0.0.0/8"],
             notes: ["2: not translated: set_real_ip_from nonsense"]),
        Case(name: "a whole nginx.conf", nginx: """
            user www-data;
            worker_processes auto;
            load_module modules/ngx_stream_module.so;
            events { worker_connections 768; }
            http { server { listen 80; } }
            stream {
                upstream redis { server 127.0.0.1:6379; }
            }
            stream {
                server { listen 6380; proxy_pass redis; }
            }
            """,
             values: ["upstreams/0/id": "redis", "stream_routes/0/id": "listen-6380"],
             notes: ["1: not needed: user www-data", "2: not needed: worker_processes auto",
                     "3: not needed: load_module modules/ngx_stream_module.so", "4: not needed: events",
                     "5: not translated: http {}"]),
        Case(name: "unknown directives are reported", nginx: """
            js_import x.js;
            weird { a; }
            server { listen 1; frobnicate on; proxy_pass 127.0.0.1:9; }
            """,
             notes: ["1: not translated: js_import x.js", "2: not translated: weird {}",
                     "3: not translated: frobnicate on"]),
    ]

    @Test(arguments: cases)
    func translates(_ c: Case) throws {
        let f = ImportFixture()
        defer { f.remove() }
        let result = try f.run(c.nginx)
        for (path, expected) in c.values.sorted(by: { $0.key < $1.key }) {
            if expected.isEmpty {
                #expect(result.text(path) == nil, "\(path) should be absent")
            } else {
                #expect(result.text(path) == expected, "\(path)")
            }
        }
        for path in c.absent {
            let v = path.hasPrefix("config:") ? result.config.at("sluice/" + path.dropFirst(7)) : result.gateway.at(path)
            #expect(v == nil, "\(path) should be absent")
        }
        let lines = result.noteLines
        for note in c.notes {
            #expect(lines.contains { $0.hasPrefix(note + ":") }, "missing note \(note); notes: \(lines)")
        }
        #expect(lines.count >= c.notes.count)
        if result.routeCount > 0 {
            let problems = try ImportWriter.write(result, to: f.path("out"), force: false)
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    @Test func everyNoteCarriesTheFileAndLine() throws {
        let f = ImportFixture(["inc/up.conf": "upstream u {\n    server 10.0.0.1:1 max_conns=2;\n}\n"])
        defer { f.remove() }
        let result = try f.run("stream {\n    include inc/*.conf;\n    server { listen 1; proxy_pass u; }\n}\n")
        #expect(result.notes.map(\.description) == [
            "\(f.path("inc/up.conf")):2: approximate: max_conns=2: Sluice counts the node's connections of the whole "
                + "gateway; nginx without a zone in the upstream counts them per worker process",
        ])
    }

    @Test func tlsTerminationReadsTheCertificateFromDisk() throws {
        let f = ImportFixture(["certs/db.pem": ImportFixture.certificate, "certs/db.key": ImportFixture.key])
        defer { f.remove() }
        let result = try f.run("""
            server {
                listen 5433 ssl;
                ssl_certificate certs/db.pem;
                ssl_certificate_key certs/db.key;
                ssl_protocols TLSv1 TLSv1.2 TLSv1.3;
                ssl_session_cache shared:SSL:10m;
                proxy_pass 127.0.0.1:5432;
            }
            server { listen 5434 ssl; proxy_pass 127.0.0.1:5432; }
            """)
        #expect(result.text("config:stream_proxy/tcp/0/tls") == "true")
        #expect(result.config.at("sluice/stream_proxy/tcp/1") == nil)
        #expect(result.text("ssls/0/id") == "listen-5433")
        #expect(result.text("ssls/0/snis/0") == "db.example.com")
        #expect(result.text("ssls/0/snis/1") == "*.db.example.com")
        #expect(result.text("ssls/0/cert") == ImportFixture.certificate)
        #expect(result.text("ssls/0/key") == ImportFixture.key)
        #expect(result.gateway.at("ssls/0/ssl_protocols") == .list([.string("TLSv1.2"), .string("TLSv1.3")]))
        #expect(result.hasNote(line: 5, .notTranslated, "TLSv1"))
        #expect(result.hasNote(line: 3, .approximate, "ssl_certificate"))
        #expect(result.hasNote(line: 6, .notTranslated, "ssl_session_cache shared:SSL:10m"))
        #expect(result.hasNote(line: 9, .notTranslated, "listen 5434 ssl"))
        let problems = try ImportWriter.write(result, to: f.path("out"), force: false)
        #expect(problems.isEmpty, "\(problems)")
        let mode = try FileManager.default.attributesOfItem(atPath: f.path("out/gateway.yaml"))[.posixPermissions]
        #expect(mode as? Int == 0o600)
    }

    @Test func clientCertificatesBothWays() throws {
        let f = ImportFixture(["db.pem": ImportFixture.certificate, "db.key": ImportFixture.key])
        defer { f.remove() }
        let result = try f.run("""
            server {
                listen 5433 ssl;
                ssl_certificate db.pem;
                ssl_certificate_key db.key;
                ssl_client_certificate db.pem;
                ssl_verify_client optional;
                proxy_ssl on;
                proxy_ssl_certificate db.pem;
                proxy_ssl_certificate_key db.key;
                proxy_pass 127.0.0.1:5432;
            }
            server { listen 5434; proxy_ssl on; proxy_ssl_certificate db.pem; proxy_pass 127.0.0.1:5432; }
            """)
        #expect(result.text("ssls/0/client/ca") == ImportFixture.certificate)
        #expect(result.hasNote(line: 6, .approximate, "ssl_verify_client optional"))
        #expect(result.text("stream_routes/0/upstream/tls/client_cert") == ImportFixture.certificate)
        #expect(result.text("stream_routes/0/upstream/tls/client_key") == ImportFixture.key)
        #expect(result.gateway.at("stream_routes/1/upstream/tls") == nil)
        #expect(result.hasNote(line: 12, .notTranslated, "server"))
        #expect(try ImportWriter.write(result, to: f.path("out"), force: false).isEmpty)
    }

    @Test func aMissingCertificateFileIsReported() throws {
        let f = ImportFixture()
        defer { f.remove() }
        let result = try f.run("server {\n listen 1 ssl;\n ssl_certificate none.pem;\n ssl_certificate_key none.key;\n proxy_pass 127.0.0.1:9;\n}")
        #expect(result.hasNote(line: 3, .notTranslated, "ssl_certificate none.pem"))
        #expect(result.routeCount == 0)
    }

    @Test func nothingUsableGivesNoRoutes() throws {
        let f = ImportFixture()
        defer { f.remove() }
        let result = try f.run("upstream u { server 10.0.0.1:1; }\nserver { proxy_pass u; }\n")
        #expect(result.routeCount == 0)
        #expect(result.hasNote(line: 2, .notTranslated, "server"))
    }

    @Test func reRunsAreByteIdentical() throws {
        let f = ImportFixture(["certs/db.pem": ImportFixture.certificate, "certs/db.key": ImportFixture.key])
        defer { f.remove() }
        f.write("nginx.conf", """
            stream {
                log_format basic '$remote_addr $status $bytes_sent $bytes_received $session_time';
                access_log logs/access.log basic;
                upstream rdp { hash $remote_addr consistent; server 10.0.0.1:3389 max_fails=3; server 10.0.0.2:3389; }
                upstream web { server 10.0.0.5:443; server 10.0.0.6:443 backup; }
                map $ssl_preread_server_name $sni { hostnames; .example.com web; default 127.0.0.1:8443; }
                server { listen 3390; proxy_pass rdp; }
                server { listen 6379; proxy_timeout 5m; proxy_pass 127.0.0.1:6380; }
                server { listen 53 udp; proxy_responses 1; proxy_pass 127.0.0.1:5353; }
                server { listen 443; ssl_preread on; proxy_pass $sni; }
                server { listen 5433 ssl; ssl_certificate certs/db.pem; ssl_certificate_key certs/db.key;
                         proxy_pass 127.0.0.1:5432; }
            }
            """)
        var outputs: [Data] = []
        for _ in 0..<2 {
            let result = try NginxImporter.importFile(f.path("nginx.conf"))
            #expect(try ImportWriter.write(result, to: f.path("out"), force: false).isEmpty)
            for name in ["config.yaml", "gateway.yaml"] {
                outputs.append(try Data(contentsOf: URL(fileURLWithPath: f.path("out/\(name)"))))
            }
        }
        #expect(outputs[0] == outputs[2] && outputs[1] == outputs[3])
        #expect(outputs[0].starts(with: Data(ImportWriter.header.utf8)))
    }

    @Test func filesNotWrittenByTheImportAreNotOverwritten() throws {
        let f = ImportFixture(["out/config.yaml": "sluice: {}\n"])
        defer { f.remove() }
        let result = try f.run("server { listen 1; proxy_pass 127.0.0.1:9; }")
        #expect(throws: ImportWriter.WriteError.self) { try ImportWriter.write(result, to: f.path("out"), force: false) }
        #expect(try ImportWriter.write(result, to: f.path("out"), force: true).isEmpty)
    }
}
