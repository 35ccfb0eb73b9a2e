#!/usr/bin/env bash
# A real OpenSearch node (or a small loopback cluster) on 127.0.0.1, built from Maven Central.
#
#   scripts/opensearch-local.sh start|stop|status [--nodes N] [--port P]
#   scripts/opensearch-local.sh pid --node I --port P      (pid of one node's JVM)
#
# `start` on a cluster with a dead node starts just that node again (a failure drill's restart).
# Why this exists: no Docker engine runs on the project's machines, but Maven Central serves
# OpenSearch's integ-test zip (a runnable node without a bundled JDK; from 3.x its modules/
# already holds lang-painless, analysis-common and reindex) and the k-NN plugin zip. This script
# fetches them with Maven (cached in ~/.m2 and $HOME_DIR/downloads), assembles the node once,
# and starts it with a small heap over plain HTTP (the security plugin is not in that zip).
#
# Idempotent: `start` on a running node only prints its URL; `stop` on a stopped one does nothing.
# Per-cluster state (config, data, logs, pid) lives in $HOME_DIR/nodes/<port>/, so a CI run on
# another port never touches a developer's node.
#
# Environment (all optional):
#   LABORLEX_OPENSEARCH_LOCAL_HOME     cache + node state (default ~/.cache/laborlex/opensearch;
#                                      /var/cache/laborlex/opensearch when run as root, because
#                                      the node then runs as the system user `opensearch`, which
#                                      cannot enter /root)
#   LABORLEX_OPENSEARCH_LOCAL_VERSION  OpenSearch version (default 3.5.0)
#   LABORLEX_OPENSEARCH_LOCAL_PORT     HTTP port of the first node (default 9200; node i gets +i)
#   LABORLEX_OPENSEARCH_LOCAL_NODES    number of nodes (default 1; >1 forms one cluster on loopback)
#   LABORLEX_OPENSEARCH_LOCAL_HEAP     JVM heap per node (default 1g: headroom for the whole corpus; 512m ran the tests)
#   LABORLEX_OPENSEARCH_LOCAL_TIMEOUT  seconds to wait for yellow/green (default 180)
#   LABORLEX_OPENSEARCH_JAVA_HOME      a JDK (>= 21 for 3.x, >= 17 for 2.x); found under /usr/lib/jvm otherwise
set -euo pipefail

die() { echo "error: $*" >&2; exit 1; }
say() { echo "$*" >&2; }

ACTION=${1:-}
shift || true
VERSION=${LABORLEX_OPENSEARCH_LOCAL_VERSION:-3.5.0}
PORT=${LABORLEX_OPENSEARCH_LOCAL_PORT:-9200}
NODES=${LABORLEX_OPENSEARCH_LOCAL_NODES:-1}
HEAP=${LABORLEX_OPENSEARCH_LOCAL_HEAP:-1g}
TIMEOUT=${LABORLEX_OPENSEARCH_LOCAL_TIMEOUT:-180}
while [[ $# -gt 0 ]]; do
  case $1 in
    --nodes) NODES=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --version) VERSION=$2; shift 2 ;;
    --heap) HEAP=$2; shift 2 ;;
    --node) NODE=$2; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
if [[ $(id -u) -eq 0 ]]; then
  DEFAULT_HOME=/var/cache/laborlex/opensearch
  RUN_AS=opensearch
else
  DEFAULT_HOME=${XDG_CACHE_HOME:-$HOME/.cache}/laborlex/opensearch
  RUN_AS=
fi
HOME_DIR=${LABORLEX_OPENSEARCH_LOCAL_HOME:-$DEFAULT_HOME}
DIST=$HOME_DIR/opensearch-$VERSION
STATE=$HOME_DIR/nodes/$PORT
URL=http://127.0.0.1:$PORT
PLUGIN_VERSION=$VERSION.0
MAJOR=${VERSION%%.*}

# ---- Java ---------------------------------------------------------------------------------

java_major() {  # the feature version of the JDK at $1
  "$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

find_java() {
  local need=17 candidate
  [[ $MAJOR -ge 3 ]] && need=21
  for candidate in ${LABORLEX_OPENSEARCH_JAVA_HOME:-} ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [[ -x $candidate/bin/java ]] || continue
    local major
    major=$(java_major "$candidate")
    if [[ -n $major && $major -ge $need ]]; then
      echo "$candidate"
      return
    fi
  done
  die "OpenSearch $VERSION needs a JDK >= $need: none found (set LABORLEX_OPENSEARCH_JAVA_HOME; on Debian/Ubuntu: apt-get install openjdk-$need-jdk-headless, or use LABORLEX_OPENSEARCH_LOCAL_VERSION=2.19.1 with Java 17)"
}

# ---- fetch and assemble (once per version) ---------------------------------------------------

fetch() {  # groupId:artifactId:version:type -> path of the artifact in downloads/
  local coords=$1 downloads=$HOME_DIR/downloads
  local artifact version type
  IFS=: read -r _ artifact version type <<<"$coords"
  local file=$downloads/$artifact-$version.$type
  if [[ ! -s $file ]]; then
    command -v mvn >/dev/null || die "Maven (mvn) is needed to fetch $coords (apt-get install maven)"
    mkdir -p "$downloads"
    say "fetching $coords from Maven Central"
    mvn -q -B dependency:copy -Dartifact="$coords" -DoutputDirectory="$downloads" >&2 \
      || return 1
  fi
  echo "$file"
}

assemble() {
  [[ -x $DIST/bin/opensearch && -f $DIST/.laborlex-assembled ]] && return
  local java zip knn partial=$DIST.partial
  java=$(find_java)
  zip=$(fetch "org.opensearch.distribution.integ-test-zip:opensearch:$VERSION:zip") \
    || die "could not fetch OpenSearch $VERSION (integ-test-zip) from Maven Central"
  knn=$(fetch "org.opensearch.plugin:opensearch-knn:$PLUGIN_VERSION:zip") \
    || die "could not fetch opensearch-knn $PLUGIN_VERSION from Maven Central"
  rm -rf "$partial" && mkdir -p "$partial"
  say "assembling OpenSearch $VERSION in $DIST"
  unzip -q "$zip" -d "$partial"
  mv "$partial/opensearch-$VERSION"/* "$partial/" && rmdir "$partial/opensearch-$VERSION"
  local module
  for module in lang-painless analysis-common reindex; do
    [[ -f $partial/modules/$module/plugin-descriptor.properties ]] \
      || die "module $module missing from the OpenSearch $VERSION zip (laborlex needs lang-painless, analysis-common, reindex)"
  done
  JAVA_HOME=$java "$partial/bin/opensearch-plugin" install --batch "file://$knn" >&2
  # neural-search (native hybrid) is not published on Maven Central; install it when a zip
  # is provided, otherwise native hybrid is unavailable and client-side RRF is used.
  if [[ -n ${LABORLEX_OPENSEARCH_NEURAL_ZIP:-} ]]; then
    JAVA_HOME=$java "$partial/bin/opensearch-plugin" install --batch "file://$LABORLEX_OPENSEARCH_NEURAL_ZIP" >&2
  fi
  touch "$partial/.laborlex-assembled"
  rm -rf "$DIST" && mv "$partial" "$DIST"
}

# ---- node state ---------------------------------------------------------------------------

node_dir() { echo "$STATE/node$1"; }

node_pid() {  # the pid of node $1's JVM, found by its own config path (the pid file is
  # written only late in start-up, and a second `start` must see a node that is still starting)
  pgrep -f -- "-Dopensearch.path.conf=$(node_dir "$1")/config( |$)" | head -1 || true
}

alive() { [[ -n $(node_pid "$1") ]]; }

health() {  # cluster health JSON, or nothing
  curl -fsS --max-time 5 "$URL/_cluster/health${1:-}" 2>/dev/null || true
}

ensure_user() {
  [[ -z $RUN_AS ]] && return
  id "$RUN_AS" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_AS"
}

write_config() {  # node index $1
  local i=$1 dir seeds="" managers="" j
  dir=$(node_dir "$i")
  mkdir -p "$dir/config" "$dir/data" "$dir/logs" "$dir/tmp"
  cp -r "$DIST/config/." "$dir/config/"
  for ((j = 0; j < NODES; j++)); do
    seeds+="${seeds:+, }\"127.0.0.1:$((PORT + 100 + j))\""
    managers+="${managers:+, }\"laborlex-$PORT-$j\""
  done
  {
    echo "cluster.name: laborlex-local-$PORT"
    echo "node.name: laborlex-$PORT-$i"
    echo "network.host: 127.0.0.1"
    echo "http.port: $((PORT + i))"
    echo "transport.port: $((PORT + 100 + i))"
    echo "path.data: $dir/data"
    echo "path.logs: $dir/logs"
    # A laptop-sized node: don't refuse writes on a nearly full disk of a shared machine.
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    if [[ $NODES -eq 1 ]]; then
      echo "discovery.type: single-node"
    else
      echo "discovery.seed_hosts: [$seeds]"
      echo "cluster.initial_cluster_manager_nodes: [$managers]"
    fi
  } >"$dir/config/opensearch.yml"
  # jvm.options names gc.log, error files and heap dumps relative to OPENSEARCH_HOME (the shared,
  # read-only distribution): point them at this node's own folders.
  sed -i -e "s/^-Xms.*/-Xms$HEAP/" -e "s/^-Xmx.*/-Xmx$HEAP/" \
    -e "s#file=logs/gc.log#file=$dir/logs/gc.log#" -e "s#ErrorFile=logs/#ErrorFile=$dir/logs/#" \
    -e "s#HeapDumpPath=data#HeapDumpPath=$dir/data#" "$dir/config/jvm.options"
  [[ -n $RUN_AS ]] && chown -R "$RUN_AS:" "$dir"
  return 0
}

start_node() {  # node index $1
  local i=$1 dir java
  dir=$(node_dir "$i")
  alive "$i" && return
  java=$(find_java)
  write_config "$i"  # every start: a changed --heap or node count takes effect; data is kept
  rm -f "$dir/pid"
  local cmd=(env "JAVA_HOME=$java" "OPENSEARCH_PATH_CONF=$dir/config" "OPENSEARCH_TMPDIR=$dir/tmp"
    "$DIST/bin/opensearch" -d -p "$dir/pid")
  if [[ -n $RUN_AS ]]; then
    runuser -u "$RUN_AS" -- "${cmd[@]}" >"$dir/logs/stdout.log" 2>&1
  else
    "${cmd[@]}" >"$dir/logs/stdout.log" 2>&1
  fi || die "OpenSearch node $i did not start; see $dir/logs/stdout.log and $dir/logs/laborlex-local-$PORT.log"
}

log_file() { echo "$(node_dir 0)/logs/laborlex-local-$PORT.log"; }

wait_ready() {
  local deadline=$((SECONDS + TIMEOUT)) answer
  while ((SECONDS < deadline)); do
    answer=$(health "?wait_for_status=yellow&wait_for_nodes=$NODES&timeout=5s")
    if [[ $answer == *'"status":"green"'* || $answer == *'"status":"yellow"'* ]] && [[ $answer != *'"timed_out":true'* ]]; then
      return 0
    fi
    alive 0 || break
    sleep 2
  done
  say "error: OpenSearch at $URL did not become yellow/green (node exited, or ${TIMEOUT}s passed); log: $(log_file)"
  tail -n 20 "$(log_file)" >&2 2>/dev/null || tail -n 20 "$(node_dir 0)/logs/stdout.log" >&2 2>/dev/null || true
  return 1
}

# ---- commands -----------------------------------------------------------------------------

cmd_start() {
  local began=$SECONDS i
  if [[ -f $STATE/nodes && $(cat "$STATE/nodes") != "$NODES" ]] && alive 0; then
    die "a $(cat "$STATE/nodes")-node cluster already runs on port $PORT; stop it first"
  fi
  assemble
  ensure_user
  mkdir -p "$STATE"
  [[ -n $RUN_AS ]] && chown "$RUN_AS:" "$STATE" "$HOME_DIR/nodes"
  echo "$NODES" >"$STATE/nodes"
  for ((i = 0; i < NODES; i++)); do start_node "$i"; done
  wait_ready || exit 1
  say "OpenSearch $VERSION ($NODES node(s), k-NN) ready in $((SECONDS - began))s; logs in $STATE"
  echo "OPENSEARCH_URL=$URL"
}

cmd_stop() {
  local i n pid
  [[ -d $STATE ]] || return 0
  for ((n = 0; n < $(cat "$STATE/nodes" 2>/dev/null || echo 1); n++)); do
    pid=$(node_pid "$n")
    if [[ -n $pid ]]; then
      kill "$pid"
      for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$(node_dir "$n")/pid"
  done
  say "stopped OpenSearch on port $PORT"
}

cmd_status() {
  local answer
  answer=$(health)
  if [[ -z $answer ]]; then
    echo "not running (port $PORT)"
    return 3
  fi
  echo "OPENSEARCH_URL=$URL"
  echo "$answer"
}

case $ACTION in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  assemble) assemble && echo "$DIST" ;;
  pid) node_pid "${NODE:-0}" ;;  # the JVM of node $NODE (for failure drills: kill -9 "$(... pid)")
  *) die "usage: $0 start|stop|status|assemble|pid [--nodes N] [--port P] [--version V] [--heap 1g] [--node I]" ;;
esac
