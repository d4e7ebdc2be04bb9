# bash completion for dancu(1)                              -*- shell-script -*-
# Installed to $datadir/bash-completion/completions/dancu (bash-completion
# loads it on demand).  The options per command are those of each command's
# --help text; scripts/check-docs keeps the man pages and --help in step.

_dancu()
{
    local cur prev words cword
    _init_completion || return

    local commands="crosscheck dedup export help id import init mrz normalize qr refdata
        report stats synth"
    local global_opts="--quiet --verbose --now --progress --threads --help --version"

    # Find the subcommand: the first word after the global options.
    local i cmd="" cmd_idx=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
            --now) ((i++)) ;;
            -*) ;;
            *)
                cmd=${words[i]}
                cmd_idx=$i
                break
                ;;
        esac
    done

    if [[ -z $cmd ]]; then
        case $prev in
            --now) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    # Values of options that take one.
    case $prev in
        --what)
            COMPREPLY=($(compgen -W "records findings clusters pairs rejects changes" -- "$cur"))
            return
            ;;
        --format)
            COMPREPLY=($(compgen -W "csv jsonl pgcopy sql" -- "$cur"))
            return
            ;;
        --encoding)
            COMPREPLY=($(compgen -W "auto utf-8 utf-16 cp1258 tcvn3 vni viscii" -- "$cur"))
            return
            ;;
        --delimiter)
            COMPREPLY=($(compgen -W "auto , ';' tab '|'" -- "$cur"))
            return
            ;;
        --tone-style)
            COMPREPLY=($(compgen -W "old new" -- "$cur"))
            return
            ;;
        --lang)
            COMPREPLY=($(compgen -W "vi en" -- "$cur"))
            return
            ;;
        --fail-on)
            COMPREPLY=($(compgen -W "error warning" -- "$cur"))
            return
            ;;
        --era)
            COMPREPLY=($(compgen -W "pre2025 2025" -- "$cur"))
            return
            ;;
        --refdata | --names | --out)
            _filedir -d
            return
            ;;
        --threshold | --review-min | --seed | --max-block | --explain | --persons | --max-field | \
            --max-bytes | --source | --only)
            return
            ;;
    esac

    local opts=""
    case $cmd in
        crosscheck) opts="--against --fail-on --lang --only --list" ;;
        dedup) opts="--threshold --review-min --train --seed --max-block --truth --explain" ;;
        export) opts="--what --format --output --excel --survivors --pseudonymize --verify" ;;
        id | mrz | qr) opts="--json --lang" ;;
        import)
            opts="--source --encoding --delimiter --map --force --max-field --max-bytes --json"
            ;;
        init) opts="--no-refdata" ;;
        normalize) opts="--tone-style --refdata" ;;
        refdata)
            if ((cword == cmd_idx + 1)); then
                COMPREPLY=($(compgen -W "load status" -- "$cur"))
                return
            fi
            opts="--era --shipped"
            ;;
        report) opts="--output --lang" ;;
        stats) opts="--json" ;;
        synth) opts="--persons --out --seed --refdata --names" ;;
        help)
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
            return
            ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return
    fi
    _filedir
} &&
    complete -F _dancu dancu

# ex: filetype=sh
