# bash completion for spark-space                          -*- shell-script -*-
# Generated from the command table by `spark-space completions bash`; do not edit.
# Use: source it, or install it as
# $PREFIX/share/bash-completion/completions/spark-space.

# The subcommands of command path $1 ('' is the top level).
_spark_space_subcommands() {
    case "$1" in
    '') echo 'whoami settings rooms teams participants people provision post messages walk-messages attachments webhooks listen wait pull archive auth api version help completions' ;;
    'settings') echo 'show profiles' ;;
    'rooms') echo 'list get create rename update delete' ;;
    'teams') echo 'list get create rename delete members' ;;
    'teams members') echo 'list add remove' ;;
    'participants') echo 'list add remove set' ;;
    'people') echo 'get list' ;;
    'provision') echo 'export' ;;
    'messages') echo 'get edit delete' ;;
    'attachments') echo 'name download' ;;
    'webhooks') echo 'list register deregister create get update delete' ;;
    'auth') echo 'login status token refresh logout' ;;
    esac
}

# The options of command path $1: its own, then the global ones.
_spark_space_options() {
    local global='-c --config --profile --token --token-file --audit-token --audit-token-file --api-url --as --room -o --output --fields --json --dry-run -q --quiet -v --verbose --timeout --max-wait --cacert -h --help --version'
    case $1 in
    'settings show') echo "--sources $global" ;;
    'rooms list') echo "--type --team --limit $global" ;;
    'rooms get') echo "--person $global" ;;
    'rooms create') echo "--team --participant --if-missing $global" ;;
    'rooms update') echo "--title --description --lock --unlock --announcement-only --no-announcement-only --team $global" ;;
    'rooms delete') echo "-y --yes $global" ;;
    'teams list') echo "--limit $global" ;;
    'teams create') echo "--description --if-missing $global" ;;
    'teams delete') echo "-y --yes $global" ;;
    'teams members add') echo "--moderator $global" ;;
    'participants list') echo "--include-bot $global" ;;
    'participants add') echo "--moderator $global" ;;
    'participants set') echo "--moderator --no-moderator $global" ;;
    'people list') echo "--email --name --limit $global" ;;
    'provision') echo "-f --file --check --prune $global" ;;
    'provision export') echo "--team --all $global" ;;
    'post') echo "--person --text --markdown --file --reply-to --mention --card --wait --within $global" ;;
    'messages get') echo "--raw $global" ;;
    'messages edit') echo "--text --markdown $global" ;;
    'messages delete') echo "-y --yes $global" ;;
    'walk-messages') echo "--limit --since --before --mentions-me --thread --person --parallel --raw --names --download $global" ;;
    'attachments download') echo "-d --dir --force --stdout $global" ;;
    'webhooks register') echo "--secret --prefix --cards $global" ;;
    'webhooks deregister') echo "--prefix --all -y --yes $global" ;;
    'webhooks create') echo "--resource --event --filter --secret $global" ;;
    'webhooks update') echo "--name --url --secret --filter --status $global" ;;
    'webhooks delete') echo "-y --yes $global" ;;
    'listen') echo "--binding --port --hook --secret --register --websocket --type --count --include-self --prune-devices $global" ;;
    'wait') echo "--card --reply-to --from --match --within $global" ;;
    'pull') echo "--interval --once --state $global" ;;
    'archive') echo "--all --team --type --since --attachments --html --parallel $global" ;;
    'auth login') echo "--client-id --client-secret-file --scope $global" ;;
    'api') echo "-X --method -f --raw-field -F --field --input --paginate $global" ;;
    'help') echo "--man $global" ;;
    *) echo "$global" ;;
    esac
}

# Succeeds when option $2 of command path $1 takes a value.
_spark_space_takes_value() {
    case "$1|$2" in
    'rooms list|--type' | \
    'rooms list|--team' | \
    'rooms list|--limit' | \
    'rooms get|--person' | \
    'rooms create|--team' | \
    'rooms create|--participant' | \
    'rooms update|--title' | \
    'rooms update|--description' | \
    'rooms update|--team' | \
    'teams list|--limit' | \
    'teams create|--description' | \
    'people list|--email' | \
    'people list|--name' | \
    'people list|--limit' | \
    'provision|-f' | 'provision|--file' | \
    'provision export|--team' | \
    'post|--person' | \
    'post|--text' | \
    'post|--markdown' | \
    'post|--file' | \
    'post|--reply-to' | \
    'post|--mention' | \
    'post|--card' | \
    'post|--within' | \
    'messages edit|--text' | \
    'messages edit|--markdown' | \
    'walk-messages|--limit' | \
    'walk-messages|--since' | \
    'walk-messages|--before' | \
    'walk-messages|--thread' | \
    'walk-messages|--person' | \
    'walk-messages|--parallel' | \
    'walk-messages|--download' | \
    'attachments download|-d' | 'attachments download|--dir' | \
    'webhooks register|--secret' | \
    'webhooks register|--prefix' | \
    'webhooks deregister|--prefix' | \
    'webhooks create|--resource' | \
    'webhooks create|--event' | \
    'webhooks create|--filter' | \
    'webhooks create|--secret' | \
    'webhooks update|--name' | \
    'webhooks update|--url' | \
    'webhooks update|--secret' | \
    'webhooks update|--filter' | \
    'webhooks update|--status' | \
    'listen|--binding' | \
    'listen|--port' | \
    'listen|--hook' | \
    'listen|--secret' | \
    'listen|--register' | \
    'listen|--type' | \
    'listen|--count' | \
    'wait|--card' | \
    'wait|--reply-to' | \
    'wait|--from' | \
    'wait|--match' | \
    'wait|--within' | \
    'pull|--interval' | \
    'pull|--state' | \
    'archive|--team' | \
    'archive|--type' | \
    'archive|--since' | \
    'archive|--parallel' | \
    'auth login|--client-id' | \
    'auth login|--client-secret-file' | \
    'auth login|--scope' | \
    'api|-X' | 'api|--method' | \
    'api|-f' | 'api|--raw-field' | \
    'api|-F' | 'api|--field' | \
    'api|--input') return 0 ;;
    *'|-c' | *'|--config' | \
    *'|--profile' | \
    *'|--token' | \
    *'|--token-file' | \
    *'|--audit-token' | \
    *'|--audit-token-file' | \
    *'|--api-url' | \
    *'|--as' | \
    *'|--room' | \
    *'|-o' | *'|--output' | \
    *'|--fields' | \
    *'|--timeout' | \
    *'|--max-wait' | \
    *'|--cacert') return 0 ;;
    esac
    return 1
}

# Completes the value of option $2 of command path $1.
_spark_space_value() {
    case "$1|$2" in
    'rooms list|--type' | \
    'archive|--type') _spark_space_words 'group' 'direct' 'all' ;;
    'provision|-f' | 'provision|--file' | \
    'post|--file' | \
    'post|--card' | \
    'pull|--state' | \
    'auth login|--client-secret-file' | \
    'api|--input') _spark_space_files ;;
    'walk-messages|--download' | \
    'attachments download|-d' | 'attachments download|--dir') _spark_space_directories ;;
    'webhooks create|--resource') _spark_space_words 'all' 'attachmentActions' 'dataSources' 'memberships' 'messages' 'rooms' 'meetings' 'recordings' 'convergedRecordings' 'meetingParticipants' 'meetingTranscripts' 'telephony_calls' 'telephony_conference' 'telephony_mwi' 'uc_counters' 'serviceApp' 'adminBatchJobs' ;;
    'webhooks create|--event') _spark_space_words 'all' 'created' 'updated' 'deleted' 'started' 'ended' 'joined' 'left' 'migrated' 'authorized' 'deauthorized' 'statusChanged' ;;
    'webhooks update|--status') _spark_space_words 'active' 'inactive' ;;
    'listen|--type') _spark_space_words 'message' 'edit' 'delete' 'card' 'join' 'leave' 'moderator' ;;
    *'|-c' | *'|--config' | \
    *'|--token-file' | \
    *'|--audit-token-file' | \
    *'|--cacert') _spark_space_files ;;
    *'|--profile') _spark_space_profiles ;;
    *'|--as') _spark_space_words 'bot' 'audit' ;;
    *'|--room') _spark_space_rooms ;;
    *'|-o' | *'|--output') _spark_space_words 'table' 'wide' 'tsv' 'json' 'ndjson' 'yaml' ;;
    esac
}

# Completes argument number $2 (from 0) of command path $1.
_spark_space_argument() {
    case "$1|$2" in
    'rooms get|0') _spark_space_rooms ;;
    'rooms rename|0') _spark_space_rooms ;;
    'rooms rename|1') : ;;
    'rooms update|0') _spark_space_rooms ;;
    'rooms delete|0') _spark_space_rooms ;;
    'participants list|0') _spark_space_rooms ;;
    'participants add|0') _spark_space_rooms ;;
    'participants add|'*) : ;;
    'participants remove|0') _spark_space_rooms ;;
    'participants remove|'*) : ;;
    'participants set|0') _spark_space_rooms ;;
    'participants set|'*) : ;;
    'provision export|'*) _spark_space_rooms ;;
    'post|0') _spark_space_rooms ;;
    'walk-messages|0') _spark_space_rooms ;;
    'pull|0') _spark_space_rooms ;;
    'archive|0') : ;;
    'archive|'*) _spark_space_rooms ;;
    'help|'*) _spark_space_commands ;;
    'completions|0') _spark_space_words 'bash' 'zsh' 'fish' ;;
    esac
}

# Adds option $1's value $2 to $settings when the option is a setting (-c FILE),
# as bash would pass it: ~/ expanded, quotes or backslashes removed (no $VAR).
_spark_space_setting() {
    local value=$2
    case $value in
    \'*\' | \"*\") value=${value:1:${#value}-2} ;;
    *) value=${value//\\/} value=${value/#\~\//$HOME/} ;;
    esac
    case $1 in
    '-c' | '--config') settings+=("--config=$value") ;;
    '--profile') settings+=("--profile=$value") ;;
    '--token') settings+=("--token=$value") ;;
    '--token-file') settings+=("--token-file=$value") ;;
    '--audit-token') settings+=("--audit-token=$value") ;;
    '--audit-token-file') settings+=("--audit-token-file=$value") ;;
    '--api-url') settings+=("--api-url=$value") ;;
    '--as') settings+=("--as=$value") ;;
    esac
}

# Succeeds when the short-option cluster $2 (-qo) ends in a letter that
# takes the next word as its value; -ojson carries its value.
_spark_space_cluster() {
    local j
    for ((j = 1; j < ${#2}; j++)); do
        if _spark_space_takes_value "$1" "-${2:j:1}"; then
            ((j == ${#2} - 1))
            return
        fi
    done
    return 1
}

# The completers below read $cur from _spark_space (bash scoping is dynamic).
# Offers each argument that starts with $cur, quoted for the command line.
_spark_space_words() {
    local word quoted
    for word; do
        if [[ $word == "$cur"* ]]; then
            printf -v quoted '%q' "$word"
            COMPREPLY+=("$quoted")
        fi
    done
}

_spark_space_files() {
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    fi
}

_spark_space_directories() {
    if declare -F _filedir >/dev/null; then
        _filedir -d
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -d -- "$cur")
    fi
}

# Room titles from `spark-space rooms list`; nothing without a token.
_spark_space_rooms() {
    local title typed=${cur//\\/}
    typed=${typed#[\"\']}
    # Lets bash quote the spaces in titles it inserts.
    compopt -o filenames 2>/dev/null
    while IFS= read -r title; do
        [[ -n $title && $title == "$typed"* ]] && COMPREPLY+=("$title")
    done < <(command spark-space "${settings[@]}" rooms list -o tsv --limit 0 --timeout 5 --max-wait 0 </dev/null 2>/dev/null | cut -f2)
}

# Profile names from `spark-space settings profiles`.
_spark_space_profiles() {
    local name
    while IFS= read -r name; do
        [[ -n $name && $name == "$cur"* ]] && COMPREPLY+=("$name")
    done < <(command spark-space "${settings[@]}" settings profiles </dev/null 2>/dev/null)
}

# The subcommands of the path the arguments before the cursor name (help rooms <Tab>).
_spark_space_commands() {
    _spark_space_words $(_spark_space_subcommands "${args[*]}")
}

_spark_space() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    # args and settings are read by the completers (bash scoping is dynamic).
    local path='' option='' ended='' word i
    local -a args=() settings=()
    COMPREPLY=()
    # bash splits `--opt=` into `--opt` `=` (COMP_WORDBREAKS): complete the value.
    [[ $cur == = && $prev == -* ]] && cur=''
    # bash splits words at ':' too (COMP_WORDBREAKS): join `http` `:` `//h` back.
    local -a words=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        if ((i > 1)) && [[ ${COMP_WORDS[i]} == : || ${COMP_WORDS[i - 1]} == : ]]; then
            words[-1]+=${COMP_WORDS[i]}
        else
            words+=("${COMP_WORDS[i]}")
        fi
    done
    for word in "${words[@]}"; do
        if [[ -n $option ]]; then
            [[ $word == = ]] && continue
            _spark_space_setting "$option" "$word"
            option=''
        elif [[ -n $ended ]]; then
            args+=("$word")
        elif [[ $word == -- ]]; then
            ended=1
        elif [[ $word == --*=* ]]; then
            _spark_space_setting "${word%%=*}" "${word#*=}"
        elif [[ $word == --?* ]]; then
            _spark_space_takes_value "$path" "$word" && option=$word
        elif [[ $word == -?* ]]; then
            _spark_space_cluster "$path" "$word" && option=-${word: -1}
        elif ((${#args[@]} == 0)) && [[ " $(_spark_space_subcommands "$path") " == *" $word "* ]]; then
            path=${path:+$path }$word
        else
            args+=("$word")
        fi
    done
    if [[ -n $option ]]; then
        _spark_space_value "$path" "$option"
    elif [[ -z $ended && $cur == -* ]]; then
        _spark_space_words $(_spark_space_options "$path")
    elif ((${#args[@]} == 0)) && [[ -z $ended && -n $(_spark_space_subcommands "$path") ]]; then
        _spark_space_words $(_spark_space_subcommands "$path")
    else
        _spark_space_argument "$path" "${#args[@]}"
    fi
}

complete -F _spark_space spark-space
