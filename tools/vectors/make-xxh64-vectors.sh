#!/usr/bin/env bash
# Regenerates tests/Daos.Common.Tests/Vectors/xxh64.txt from Debian's xxhash (xxhsum -H64 and libxxhash).
# Seed 0 vectors are checked against the xxhsum command itself; other seeds come from the same library.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../tests/Daos.Common.Tests/Vectors/xxh64.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v xxhsum >/dev/null || { apt-get update -qq && apt-get install -y -qq xxhash libxxhash-dev; }
gcc -O2 -o "$work/gen" "$here/xxh64_vectors.c" -lxxhash
# lengths 0..79 then every 4th length up to 4096
{ seq 0 79; seq 80 4 4096; } > "$work/lengths"
"$work/gen" "$work/lengths" 0 1 0x9E3779B97F4A7C15 0xFFFFFFFFFFFFFFFF > "$work/vectors"
# Cross-check seed 0 against the xxhsum command: write each input to a file and hash it.
python3 - "$work" <<'PY'
import subprocess, sys, os
work = sys.argv[1]
def fill(n, salt):
    m = 0xFFFFFFFFFFFFFFFF
    x = (salt * 6364136223846793005 + 1442695040888963407) & m
    out = bytearray(n)
    for i in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) & m
        out[i] = x >> 56
    return bytes(out)
rows = [l.split() for l in open(os.path.join(work, "vectors"))]
files = []
for n, salt, seed, h in rows:
    if seed != "0": continue
    p = os.path.join(work, f"in{salt}")
    open(p, "wb").write(fill(int(n), int(salt)))
    files.append((p, h))
res = subprocess.run(["xxhsum", "-H64"] + [p for p, _ in files], capture_output=True, text=True, check=True).stdout.split("\n")
got = {l.split()[1]: l.split()[0] for l in res if l.strip()}
bad = [p for p, h in files if got[p] != h]
if bad:
    sys.exit(f"xxhsum disagrees with libxxhash for {len(bad)} inputs")
print(f"xxhsum -H64 agrees on {len(files)} seed-0 inputs", file=sys.stderr)
PY
mkdir -p "$(dirname "$out")"
{ echo "# XXH64 vectors: length salt seed hash (see tools/vectors/xxh64_vectors.c for the input generator)"; cat "$work/vectors"; } > "$out"
wc -l "$out"
