#!/usr/bin/env bash
# Installs what the test suites need, only when missing (idempotent, quiet):
#   redis-server redis-tools python3 tmux netcat-openbsd libncursesw5-dev dnsmasq dnsutils openssl curl,
#   nginx + libnginx-mod-stream and mariadb-server + mariadb-client (the import test runs the real nginx in
#   front of a private mariadbd), systemd (systemd-analyze verify),
#   etcd-server + etcd-client (the etcd tests start their own single member on loopback ports),
#   mosquitto + mosquitto-clients (MQTT brokers and mosquitto_pub/sub for the mqtt-proxy tests),
#   and pytest for `python3 -m pytest`.
# Tests start their own redis-server on a loopback test port; no system service is needed.
set -euo pipefail

pkgs=(redis-server redis-tools python3 tmux netcat-openbsd libncursesw5-dev dnsmasq dnsutils openssl curl
      nginx libnginx-mod-stream mariadb-server mariadb-client systemd etcd-server etcd-client
      mosquitto mosquitto-clients)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for p in "${pkgs[@]}"; do installed "$p" || missing+=("$p"); done

updated=0
apt_install() {
  if [ "$updated" = 0 ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    updated=1
  fi
  # nginx's package would start the system nginx on port 80: tests start their own, so keep services down.
  local policy=/usr/sbin/policy-rc.d added=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && added=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  if [ "$added" = 1 ]; then $SUDO rm -f "$policy"; fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

if ! python3 -m pytest --version >/dev/null 2>&1; then
  echo "install-test-deps: installing pytest"
  if ! python3 -m pip install -q pytest >/dev/null 2>&1; then
    apt_install python3-pytest
  fi
  python3 -m pytest --version >/dev/null 2>&1 || { echo "install-test-deps: python3 -m pytest still does not work" >&2; exit 1; }
fi

# The prometheus e2e tests parse scrapes with a real Prometheus text parser.
if ! python3 -c 'import prometheus_client' >/dev/null 2>&1; then
  echo "install-test-deps: installing prometheus_client"
  python3 -m pip install -q prometheus_client >/dev/null 2>&1 \
    || python3 -m pip install -q --break-system-packages prometheus_client >/dev/null 2>&1 \
    || apt_install python3-prometheus-client
  python3 -c 'import prometheus_client' >/dev/null 2>&1 || { echo "install-test-deps: prometheus_client still missing" >&2; exit 1; }
fi
