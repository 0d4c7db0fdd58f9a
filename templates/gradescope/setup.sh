#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# The zip holds the kit (with solutions/ and tests_hidden/) plus this script and run_autograder.
# AUTOGRADER_ROOT (default /autograder) exists so that the kit's tests can rehearse this in a folder;
# AUTOGRADER_SKIP_APT=1 skips the apt-get step (the tests must not install packages on a shared machine).
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
source_dir="$root/source"
if [ "${AUTOGRADER_SKIP_APT:-0}" != 1 ]; then
  apt-get update -qq
  apt-get install -y -qq python3.11 python3.11-venv bubblewrap libseccomp2 >/dev/null
fi
python3.11 -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --quiet "$source_dir"
# Workers run student code as an unprivileged uid. They need the interpreter (the venv and the system
# Python it points to) and the grader's own code; nothing else. Everything else in the source stays
# root's alone: solutions/, tests_hidden/, rubrics/ and .git (whose objects hold all three).
chmod -R go-rwx "$source_dir"
chmod o+x "$root" "$source_dir"
chmod -R o+rX "$source_dir/grader" "$root/venv"
exposed=$(find "$source_dir/solutions" "$source_dir/tests_hidden" "$source_dir/rubrics" "$source_dir/.git" \
  -perm /o=rwx -print -quit 2>/dev/null || true)
if [ -n "$exposed" ]; then
  echo "setup.sh: $exposed is open to other users; refusing to build this image" >&2
  exit 1
fi
