#!/bin/bash
# Written by tools/chart.py from tools/classroom.py's settings: do not edit; `python -m tools.chart` remakes it.
# The course's class on The Littlest JupyterHub 2.0.0, on a fresh Ubuntu VM, as root (docs/classroom.md):
#   bash classroom/tljh/install.sh roster.txt      # one login name a line; passwords in /root/dilconv-passwords.csv
set -euo pipefail
roster=${1:?give the roster: one login name a line}
[ -d /srv/course ] || git clone https://github.com/dilconv-course/dilconv-course /srv/course
curl -fsSL https://tljh.jupyter.org/bootstrap.py | python3 - --version 2.0.0
# the hub's authenticator; the course and its language pack in the learners' environment, at the lock's versions
/opt/tljh/hub/bin/python -m pip install --quiet jupyterhub-hashauthenticator==0.6.0
cd /srv/course
/opt/tljh/user/bin/python -m pip install --quiet -c constraints.txt \
    $(/opt/tljh/user/bin/python -m tools.torch_index --override auto) torch
/opt/tljh/user/bin/python -m pip install --quiet -c constraints.txt -e ".[lab,editions]"
# the passwords' secret: made once, root's only; tljh-config keeps it in /opt/tljh/config/config.yaml (root's only)
[ -f /root/dilconv-secret-key ] || (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(32))' \
    > /root/dilconv-secret-key)
tljh-config set auth.HashAuthenticator.secret_key "$(cat /root/dilconv-secret-key)"
tljh-config set auth.type hashauthenticator.HashAuthenticator
tljh-config set auth.HashAuthenticator.password_length 12
tljh-config set limits.memory 1536M
tljh-config set limits.cpu 1.0
tljh-config set services.cull.enabled true
tljh-config set services.cull.timeout 3600
tljh-config set user_environment.default_app jupyterlab
tljh-config add-item users.admin lecturer
while read -r name; do
    case "$name" in ''|'#'*) ;; *) tljh-config add-item users.allowed "$name" ;; esac
done < "$roster"
mkdir -p /opt/tljh/user/share/jupyter/lab/settings
cat > /opt/tljh/user/share/jupyter/lab/settings/overrides.json <<'EOF'
{
  "@jupyterlab/apputils-extension:notification": {
    "fetchNews": "false",
    "checkForUpdates": false
  }
}
EOF
cat > /opt/tljh/config/jupyterhub_config.d/dilconv.py <<'EOF'
# Written by classroom/tljh/install.sh (tools/chart.py): the course's settings tljh-config has no key for
c.Spawner.environment = {'OMP_NUM_THREADS': '1', 'DILCONV_LANG': 'en'}  # noqa: F821 (c: JupyterHub's config)
c.Spawner.notebook_dir = '~'  # noqa: F821
c.Spawner.default_url = '/lab/tree/workspace/00_welcome.ipynb'  # noqa: F821
c.JupyterHub.concurrent_spawn_limit = 10  # noqa: F821
c.Spawner.cmd = ['sh', '-c', 'cd /srv/course && src=notebooks && python -m tools.workspace --notebooks "$src" --workspace "$HOME/workspace" && mkdir -p "$HOME/assignments" && exec jupyterhub-singleuser "$@"', 'jupyterhub-singleuser']  # noqa: F821
EOF
(umask 077 && python3 - "$roster" lecturer > /root/dilconv-passwords.csv <<'EOF'
import csv, sys
sys.path.insert(0, "/srv/course")
from tools.classroom import parse_students, password
key = open("/root/dilconv-secret-key").read().strip()
rows = [["user", "password"]] + [[n, password(key, n)] for n in parse_students(sys.argv[1]) + sys.argv[2:]]
csv.writer(sys.stdout).writerows(rows)
EOF
)
tljh-config reload
echo "classroom: passwords in /root/dilconv-passwords.csv (hand each learner their row)"
