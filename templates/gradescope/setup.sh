#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu 22.04 or 24.04 base images).
# The zip (make gradescope ASSIGNMENT=<id>, or python -m grader publish --gradescope ZIP) holds the grader,
# one assignment (with its solution and hidden tests), this script, run_autograder and gradescope.json.
# AUTOGRADER_ROOT (default /autograder) exists so that the kit's tests can rehearse this in a folder;
# AUTOGRADER_SKIP_APT=1 skips apt-get (the tests must not install packages on a shared machine);
# AUTOGRADER_FIND_PYTHON_ONLY=1 stops after saying which Python it would use.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
source_dir="$root/source"

# A Python >= 3.11 the image has (22.04: none by default, 24.04: python3 is 3.12), found by its version,
# not by a package name a release may lack.
find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [ "${AUTOGRADER_SKIP_APT:-0}" != 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq bubblewrap libseccomp2 >/dev/null
  if ! find_python >/dev/null; then
    # Install the newest python3.X this release's archive offers (22.04's universe has python3.11).
    for version in 3.13 3.12 3.11; do
      if apt-cache show "python$version-venv" >/dev/null 2>&1; then
        apt-get install -y -qq "python$version" "python$version-venv" >/dev/null
        break
      fi
    done
  fi
fi
python=$(find_python) || {
  echo "setup.sh: no Python >= 3.11 on this image and none to install with apt; choose Gradescope's Ubuntu" \
    "22.04 or 24.04 base image / Python 3.11 이상을 찾지 못했습니다" >&2
  exit 1
}
echo "setup.sh: using $python ($("$python" --version 2>&1))"
if [ "${AUTOGRADER_FIND_PYTHON_ONLY:-0}" = 1 ]; then exit 0; fi  # the kit's tests: which Python, nothing more
# Debian and Ubuntu split venv (and its pip) into python3.X-venv: install it when the module cannot make one.
if ! "$python" -m venv "$root/venv" >/dev/null 2>&1; then
  version=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
  if [ "${AUTOGRADER_SKIP_APT:-0}" != 1 ]; then
    apt-get install -y -qq "python$version-venv" >/dev/null
  fi
  rm -rf "$root/venv"
  "$python" -m venv "$root/venv"
fi
"$root/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$source_dir"
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
