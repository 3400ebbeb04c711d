# bash completion for farm                                 -*- shell-script -*-
#
# Subcommands and flags are read from farm's own help, task types from
# `farm help tasks --names`: whatever the installed binary knows, and
# nothing it does not.

# The subcommands, from the usage lines of `farm help`.
_farm_commands() {
    "$1" help 2>/dev/null |
        sed -nE 's/^(usage:)? +farm ([a-z]+).*/\2/p'
}

# The flags of one subcommand, from the option column of its help.
_farm_flags() {
    "$1" "$2" --help 2>/dev/null |
        sed -nE '/^ +-/{s/^ +//; s/  .*//; p}' |
        grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z-]*' | tr -d ' ,' | sort -u
}

_farm() {
    local cur prev words cword split
    _init_completion -s || return

    local farm=${words[0]} command="" command_at=0 i
    for ((i = 1; i < cword; i++)); do
        if [[ ${words[i]} != -* ]]; then
            command=${words[i]} command_at=$i
            break
        fi
    done
    if [[ -z $command ]]; then
        COMPREPLY=($(compgen -W "$(_farm_commands "$farm") --help --version" -- "$cur"))
        return
    fi

    case $prev in
        --mode)
            COMPREPLY=($(compgen -W "process thread sequential" -- "$cur"))
            return
            ;;
        --modes)  # a comma-separated list: complete its last item
            local done_items=${cur%"${cur##*,}"}
            COMPREPLY=($(compgen -P "$done_items" -W "sequential thread process" \
                -- "${cur##*,}"))
            compopt -o nospace 2>/dev/null
            return
            ;;
        --task)
            COMPREPLY=($(compgen -W "$("$farm" help tasks --names 2>/dev/null)" -- "$cur"))
            return
            ;;
        --method)
            COMPREPLY=($(compgen -W "iterative doubling" -- "$cur"))
            return
            ;;
        -o | --output | --urls | --summary-json | --csv | --json | --export-*)
            _filedir
            return
            ;;
        --out-dir)
            _filedir -d
            return
            ;;
        -j | --[a-z]*)
            # Any other flag shown with a value (--seed S) takes a number or
            # a word: nothing to offer.
            # grep reads to the end (no -q): under pipefail, farm cut short by
            # SIGPIPE would fail the test whatever grep found.
            if "$farm" "$command" --help 2>/dev/null | grep -E -- "(^|[ ,])$prev [A-Z0-9]" >/dev/null; then
                return
            fi
            ;;
    esac
    $split && return

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_farm_flags "$farm" "$command") --help" -- "$cur"))
        return
    fi
    case $command in
        gen)  # the task type comes first
            ((cword == command_at + 1)) &&
                COMPREPLY=($(compgen -W "$("$farm" help tasks --names 2>/dev/null)" -- "$cur"))
            ;;
        help)
            ((cword == command_at + 1)) && COMPREPLY=($(compgen -W "tasks" -- "$cur"))
            ;;
        run | bench | exec)
            _filedir
            ;;
    esac
} &&
    complete -F _farm farm
