# Shared by scripts/loadtest and scripts/profile-requests (sourced, not run): the release
# binary, a scratch directory, `skillgate serve --dev-ca` started and waited for, pre-signed
# request bodies, and the wrk Lua script that sends them.
#
# The caller sets `root` (the checkout), `build` (1 to build the release binary) and `kind`
# (launch | intent) before sourcing, and may set `SKILLGATE_BIN`.

case "$kind" in
    launch) request=(--launch) ;;
    intent) request=(--intent DeviceStatusIntent --slot device=light) ;;
    *) echo "-k is launch or intent" >&2; exit 2 ;;
esac

bin=${SKILLGATE_BIN:-$root/target/release/skillgate}
if [ -n "${SKILLGATE_BIN:-}" ]; then build=0; fi
if [ "$build" = 1 ]; then
    echo "== building the release binary"
    (cd "$root" && cargo build --release --bins -q)
fi
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 1; }

# need_tool TOOL: installs a missing tool from Debian's packages.
need_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "== installing $1 (Debian package)"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    { "${sudo[@]}" apt-get install -y -q "$1" || { "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q "$1"; }; } >/dev/null
}

tmp=$(mktemp -d)
# Servers started with start_server, stopped on exit.
server_pids=()
cleanup() {
    local pid
    for pid in "${server_pids[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
data=$tmp/data
sg() { "$bin" --data-dir "$data" "$@"; }
sg dev-ca init >/dev/null

# free_port: prints a free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# skill_config FILE [replay] [upstream URL]: writes a configuration with the demo `home`
# skill (or, with an upstream, a gateway skill of that name) accepting any application id;
# replay protection stays on only when the second argument is `replay`.
skill_config() {
    local file=$1 replay=${2:-off} upstream=${3:-}
    if [ -n "$upstream" ]; then
        printf '[[skill]]\nname = "home"\nupstream = "%s"\n' "$upstream" >"$file"
    else
        printf '[[skill]]\nname = "home"\nhandler = "home"\n' >"$file"
    fi
    printf '\n[dev]\nany_application_id = true\n' >>"$file"
    [ "$replay" = replay ] || printf '\n[verify]\nreplay = false\n' >>"$file"
}

# start_server LOG PORT [WRAPPER...] -- SERVE_ARGS...: starts `skillgate serve` (under the
# wrapper, e.g. valgrind, if given) on 127.0.0.1:PORT, waits until it listens (up to
# `start_wait` tenths of a second, default 100), and sets `server_pid`.
start_server() {
    local log=$1 port=$2 wrapper=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do wrapper+=("$1"); shift; done
    shift
    "${wrapper[@]}" "$bin" --data-dir "$data" serve "$@" --listen "127.0.0.1:$port" >"$log" 2>&1 &
    server_pid=$!
    server_pids+=("$server_pid")
    local _
    for _ in $(seq "${start_wait:-100}"); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        kill -0 "$server_pid" 2>/dev/null || { echo "serve exited:"; tail -5 "$log"; exit 1; }
        sleep 0.1
    done
    echo "serve did not listen:"
    tail -5 "$log"
    exit 1
}

# stop_server PID: interrupts a server and waits for it.
stop_server() {
    kill -INT "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# sign_bodies DIR COUNT: signs COUNT request bodies of `kind` into DIR.
sign_bodies() {
    sg sign --count "$2" --out "$1" "${request[@]}" >/dev/null
}

# write_rotate_lua FILE DIR COUNT THREADS UNIQUE DELAY_MS: the wrk script that rotates over
# the COUNT bodies of DIR (each sent once when UNIQUE is 1), counts statuses, waits DELAY_MS
# between the requests of a connection (0: none), and prints one `RESULT key=value ...` line.
write_rotate_lua() {
    local file=$1 dir=$2 count=$3 threads=$4 unique=$5 delay_ms=$6
    local width=${#count}
    [ "$width" -lt 4 ] && width=4
    cat >"$file" <<LUA
-- Rotates over pre-signed bodies and their headers; counts statuses per thread.
local dir, n, width = "$dir", $count, $width
local threads = {}
local next_offset = 0
local unique = $unique == 1
local thread_count = $threads
local pause = $delay_ms

function setup(thread)
  thread:set("offset", next_offset)
  -- Unique bodies: thread k sends bodies k+1, k+1+T, k+1+2T, ... (never one twice).
  next_offset = next_offset + (unique and 1 or 997)
  table.insert(threads, thread)
end

function init(args)
  responses, non200 = 0, 0
  reqs = {}
  for i = 1, n do
    local name = string.format("%s/%%s-%0" .. width .. "d.%%s", dir, i)
    local f = assert(io.open(string.format(name, "body", "json"), "rb"))
    local body = f:read("*a")
    f:close()
    local headers = {}
    for line in io.lines(string.format(name, "headers", "txt")) do
      local k, v = line:match("^([^:]+):%s*(.*)$")
      if k then headers[k] = v end
    end
    reqs[i] = wrk.format("POST", nil, headers, body)
  end
  idx = offset % n
  if unique then idx = offset + 1 - thread_count end
end

function request()
  if unique then
    idx = idx + thread_count
    if idx > n then idx = (idx - 1) % n + 1 end
    return reqs[idx]
  end
  idx = idx % n + 1
  return reqs[idx]
end

if pause > 0 then
  function delay() return pause end
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then non200 = non200 + 1 end
end

function done(summary, latency, requests)
  local total, bad = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("responses")
    bad = bad + t:get("non200")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f responses=%d non200=%d non200_pct=%.3f socket_errors=%d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    total, bad, total > 0 and 100 * bad / total or 0,
    e.connect + e.read + e.write + e.timeout))
end
LUA
}

# result_field RESULT_LINE KEY: one value of a `RESULT key=value ...` line.
result_field() {
    sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" ${1#RESULT}"
}
