#!/usr/bin/env bash
# Measures the pages written back by scattered writes through a mapping, with and without
# map_options::exact_writeback, on an ext4 file system of its own: an image file loop-mounted
# with direct I/O (so that the device's sector counts are the file system's own writes and a
# cold read reaches the disk). Prints the tables of the "Write-back" section of
# docs/PERFORMANCE.md. Needs root, mkfs.ext4 (e2fsprogs) and a free loop device.
#
#   scripts/bench_writeback.sh [MIB] [K] [READ_MIB]     (defaults 1024, 100, 256)
set -euo pipefail
cd "$(dirname "$0")/.."
mib="${1:-1024}"
k="${2:-100}"
read_mib="${3:-256}"
[ "$(id -u)" -eq 0 ] || { echo "bench_writeback: needs root (it mounts a file system)" >&2; exit 3; }

cmake --preset release >/dev/null
cmake --build --preset release -j2 --target writeback
work="$(mktemp -d "${MAPARRAY_BENCH_DIR:-$PWD/build}/maparray-writeback-XXXXXX")"
mount_point="$work/mnt"
device=""
cleanup() {
  mountpoint -q "$mount_point" && umount "$mount_point"
  [ -n "$device" ] && losetup -d "$device" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
truncate -s "$(( (mib + read_mib) * 3 / 2 + 256 ))M" "$work/ext4.img"
mkfs.ext4 -q -F "$work/ext4.img"
device="$(losetup --find --show --direct-io=on "$work/ext4.img")"
mkdir "$mount_point"
mount "$device" "$mount_point"
echo "Machine: $(uname -r), $(nproc) cores; load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Command: scripts/bench_writeback.sh $mib $k $read_mib"
echo
build/release/bench/writeback "$mount_point" "$(basename "$device")" "$mib" "$k" "$read_mib"
