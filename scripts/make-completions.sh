#!/usr/bin/env bash
# Shell completions, as each binary's argument parser writes them
# (--generate-completion-script), into OUT/bash, OUT/zsh and OUT/fish under the names
# each shell looks for.
set -euo pipefail
bin=${1:?usage: make-completions.sh BIN_DIR [OUT]}
out=${2:-build/completions}
mkdir -p "$out/bash" "$out/zsh" "$out/fish"
for tool in photopiped pipectl; do
  # bash-completion sources the file, so the parser's #! line goes.
  "$bin/$tool" --generate-completion-script bash | sed '1{/^#!/d}' >"$out/bash/$tool"
  "$bin/$tool" --generate-completion-script zsh >"$out/zsh/_$tool"
  "$bin/$tool" --generate-completion-script fish >"$out/fish/$tool.fish"
done
