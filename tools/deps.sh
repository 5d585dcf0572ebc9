# deps.sh — sourced by setup.sh and test.sh: installs the Debian packages
# listed in tools/debian-packages.txt that are not installed yet, with
# apt-get (as root, or through sudo). Does nothing when all are present.
wm_install_deps() {
    local list="$1" missing=() pkg sudo=""
    while read -r pkg; do
        case "$pkg" in ''|'#'*) continue ;; esac
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done < "$list"
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "deps: run as root or install sudo; missing: ${missing[*]}" >&2; return 1; }
        sudo="sudo"
    fi
    echo "deps: installing ${missing[*]}" >&2
    $sudo apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
