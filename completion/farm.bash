# bash completion for farm                                 -*- shell-script -*-
#
# Everything is read from farm's own help, which farm prints from the tables
# it parses with: the subcommands from the overview of `farm help`, each
# one's flags and their values from `farm COMMAND --help`, task types from
# `farm help tasks --names`. Whatever the installed binary knows, and nothing
# it does not.

# The subcommands, from the usage lines of the overview (up to its first
# blank line after them).
_farm_commands() {
    "$1" help 2>/dev/null |
        sed -nE '/^usage:/,/^$/{s/^(usage:)? +farm ([a-z]+).*/\2/p; /^$/q}'
}

# The flags of one subcommand, from the option column of its help.
_farm_flags() {
    "$1" "$2" --help 2>/dev/null |
        sed -nE '/^ +-/{s/^ +//; s/  .*//; p}' |
        grep -oE -- '(^|[ ,])--?[A-Za-z][A-Za-z-]*' | tr -d ' ,' | sort -u
}

# The value a flag takes as its help names it: "N", "FILE", "a|b" (the
# choices), "a,b,c" (a list of them); empty for a switch. Option lines
# ("  -j, --workers N   ...") first, then usage lines ("[--method a|b]").
_farm_value() {
    [[ $3 =~ ^--?[A-Za-z][A-Za-z-]*$ ]] || return
    "$1" "$2" --help 2>/dev/null |
        sed -nE -e "s/^ +(-[A-Za-z], )?$3( |, --[A-Za-z-]+ )([^ ]+).*/\3/p" \
            -e "s/.*\[$3 ([^] ]+)\].*/\1/p" |
        awk 'NR == 1'
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

    if [[ $prev == -?* ]]; then
        local value choice words_of=""
        value=$(_farm_value "$farm" "$command" "$prev")
        case $value in
            "") ;;  # a switch, or no flag of farm's: complete as usual
            TYPE)
                COMPREPLY=($(compgen -W "$("$farm" help tasks --names 2>/dev/null)" -- "$cur"))
                return
                ;;
            DIR)
                _filedir -d
                return
                ;;
            *[a-z]*,*)  # a list of these words: complete its last item
                local done_items=${cur%"${cur##*,}"}
                COMPREPLY=($(compgen -P "$done_items" -W "${value//,/ }" -- "${cur##*,}"))
                compopt -o nospace 2>/dev/null
                return
                ;;
            *'|'*)  # choices; FILE among them: any file too
                for choice in ${value//|/ }; do
                    [[ $choice == FILE ]] && _filedir
                    [[ $choice == *[A-Z]* ]] || words_of+=" $choice"
                done
                COMPREPLY+=($(compgen -W "$words_of" -- "$cur"))
                return
                ;;
            *FILE*)
                _filedir
                return
                ;;
            *)  # a number or a word of the user's: nothing to offer
                return
                ;;
        esac
    fi
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
            ((cword == command_at + 1)) &&
                COMPREPLY=($(compgen -W "$(_farm_commands "$farm") tasks" -- "$cur"))
            ;;
        run | bench | exec)
            _filedir
            ;;
    esac
} &&
    complete -F _farm farm
