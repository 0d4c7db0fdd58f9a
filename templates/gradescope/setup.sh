#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# The zip holds the kit (with solutions/ and tests_hidden/) plus this script and run_autograder.
set -euo pipefail
apt-get install -y -qq python3.11 python3.11-venv bubblewrap libseccomp2 >/dev/null
python3.11 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet /autograder/source
chmod -R o+rX /autograder/source /autograder/venv   # workers run as an unprivileged uid
