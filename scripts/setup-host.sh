#!/usr/bin/env bash
# Prepares this machine for `npm test`, as root: the host packages the tests use, an unprivileged
# test user with subordinate id ranges, root's --userns=auto pool (`containers` entries),
# /dev/net/tun usable by users, and the user's runtime dir.
# Idempotent: every step checks first, so it assumes nothing from an earlier run.
set -euo pipefail

TEST_USER="${ROOTLESS_TEST_USER:-rootless-test}"
RANGE_SIZE=65536
# command -> Debian package that provides it (attr: getfattr reads the overlay xattrs of layers;
# catatonit: the init of `run --init`)
declare -A NEEDED=(
  [newuidmap]=uidmap [docker-registry]=docker-registry [busybox]=busybox-static [zstd]=zstd
  [slirp4netns]=slirp4netns [pasta]=passt [htpasswd]=apache2-utils [openssl]=openssl
  [getfattr]=attr [setpriv]=util-linux [runuser]=util-linux [catatonit]=catatonit
)

say() { printf 'setup-host: %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
  echo "setup-host: must run as root (it installs packages and creates the user $TEST_USER)" >&2
  exit 1
fi

missing=()
for command in "${!NEEDED[@]}"; do
  if ! PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" command -v "$command" >/dev/null 2>&1; then
    missing+=("${NEEDED[$command]}")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  say "packages present"
fi

if ! id -u "$TEST_USER" >/dev/null 2>&1; then
  say "creating user $TEST_USER"
  # no automatic subordinate ranges: add_range below picks one clear of root's default too
  useradd --create-home --shell /bin/bash -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$TEST_USER"
fi
uid="$(id -u "$TEST_USER")"
gid="$(id -g "$TEST_USER")"
home="$(getent passwd "$TEST_USER" | cut -d: -f6)"
if [ ! -d "$home" ]; then
  install -d -m 0755 -o "$uid" -g "$gid" "$home"
fi

# The first start past every range already in the file (and past root's default 100000:65536),
# rounded up to a multiple of 65536, so the new range overlaps no one.
free_range_start() {
  local file="$1"
  awk -F: -v size="$RANGE_SIZE" '
    BEGIN { end = 165536 }
    NF >= 3 && $1 !~ /^#/ { if ($2 + $3 > end) end = $2 + $3 }
    END { printf "%d\n", int((end + size - 1) / size) * size }' "$file"
}

add_range() {
  local file="$1" option="$2"
  touch "$file"
  if grep -qE "^($TEST_USER|$uid):" "$file"; then
    say "$file already has a range for $TEST_USER"
    return
  fi
  local start
  start="$(free_range_start "$file")"
  say "giving $TEST_USER $file range $start-$((start + RANGE_SIZE - 1))"
  usermod "$option" "$start-$((start + RANGE_SIZE - 1))" "$TEST_USER"
}
add_range /etc/subuid --add-subuids
add_range /etc/subgid --add-subgids

# Root's `run --userns=auto` hands out ranges from the `containers` entries (as Podman does); the
# name needs no account. 16 ranges of 65536, clear of every other entry.
POOL_SIZE=$((16 * RANGE_SIZE))
add_pool() {
  local file="$1"
  if grep -q '^containers:' "$file"; then
    say "$file already has a containers pool"
    return
  fi
  local start
  start="$(free_range_start "$file")"
  say "giving the containers pool $file range $start-$((start + POOL_SIZE - 1))"
  echo "containers:$start:$POOL_SIZE" >>"$file"
}
add_pool /etc/subuid
add_pool /etc/subgid

if [ -e /dev/net/tun ]; then
  chmod 0666 /dev/net/tun
  say "/dev/net/tun is 0666"
fi

runtime="/run/user/$uid"
install -d -m 0755 /run/user
install -d -m 0700 -o "$uid" -g "$gid" "$runtime"
chown "$uid:$gid" "$runtime"
chmod 0700 "$runtime"
say "runtime dir $runtime ready"
