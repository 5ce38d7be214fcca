#!/usr/bin/env bash
# Write the assembled series as git format-patch files plus a cover letter
# into $OUT/series/, ready for git send-email or git am.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$OUT/linux
[ -d "$tree/.git" ] || die "$tree is not assembled" "run: make series-tree"
dest=$OUT/series
rm -rf "$dest"
mkdir -p "$dest"
n=$(git -C "$tree" rev-list --count base..series)
git -C "$tree" format-patch -q --cover-letter --no-signature --base=base \
	-o "$dest" base..series
# Fill the cover letter: subject and body from patches/cover-letter.txt.
cover="$dest/0000-cover-letter.patch"
subject=$(sed -n 's/^Subject: //p' "$TOP/patches/cover-letter.txt" | head -n1)
body=$(sed '1,/^$/d' "$TOP/patches/cover-letter.txt")
python3 - "$cover" "$subject" "$body" <<'PY'
import sys
path, subject, body = sys.argv[1:4]
text = open(path).read()
text = text.replace("*** SUBJECT HERE ***", subject, 1)
text = text.replace("*** BLURB HERE ***", body, 1)
open(path, "w").write(text)
PY
msg "series: $n patches and a cover letter in $dest"
