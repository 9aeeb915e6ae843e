# fish completion for spark-space.
# Generated from the command table by `spark-space completions fish`; do not edit.
# Use: source it, or install it as
# $PREFIX/share/fish/vendor_completions.d/spark-space.fish.

# Prints how many arguments follow the command path, whether the word under
# the cursor is an option's value (1) or not (0), then the path's words.
# With `arguments` or `settings`, prints those words instead (--config=FILE...).
# fish asks it once for every `complete -n` condition: the words are read once per
# command line and kept (__spark_space_read).
function __spark_space_state
    __spark_space_read
    switch "$argv"
        # string join prints nothing for no words (printf would print an empty line).
        case arguments
            string join -- \n $__spark_space_arguments
        case settings
            string join -- \n $__spark_space_settings
        case '*'
            count $__spark_space_arguments
            test -n "$__spark_space_option"; and echo 1; or echo 0
            printf '%s\n' $__spark_space_path
    end
end

# Reads the words before the cursor into the globals __spark_space_{path,arguments,
# settings,option}, unless they are those of the command line read last.
function __spark_space_read
    set -l words (commandline -opc)
    set -l line (string join \x1f -- $words)
    set -q __spark_space_line; and test "$__spark_space_line" = "$line"; and return
    set -e words[1]
    set -l path
    set -l arguments
    set -l settings
    set -l option
    set -l ended 0
    for word in $words
        if test -n "$option"
            set -a settings (__spark_space_setting $option $word)
            set option
        else if test $ended = 1
            set -a arguments $word
        else if test "$word" = --
            set ended 1
        else if string match -q -- '--*=*' $word
            set -a settings (__spark_space_setting (string split -m 1 = -- $word))
        else if string match -q -- '--?*' $word
            __spark_space_takes_value $word $path; and set option $word
        else if string match -q -- '-?*' $word
            # -qo takes the next word as its value; -ojson carries it.
            set -l letters (string sub -s 2 -- $word | string split '')
            set -l rest $letters
            for letter in $letters
                set -e rest[1]
                if __spark_space_takes_value -$letter $path
                    test (count $rest) = 0; and set option -$letter
                    break
                end
            end
        else if test (count $arguments) = 0; and contains -- $word (__spark_space_subcommands $path)
            set -a path $word
        else
            set -a arguments $word
        end
    end
    set -g __spark_space_line $line
    set -g __spark_space_path $path
    set -g __spark_space_arguments $arguments
    set -g __spark_space_settings $settings
    set -g __spark_space_option $option
end

# The subcommands of the path the arguments before the cursor name (help rooms <Tab>).
function __spark_space_commands
    __spark_space_subcommands (__spark_space_state arguments)
end

# Succeeds when the command path is $argv.
function __spark_space_in
    set -l state (__spark_space_state)
    test "$state[3..-1]" = "$argv"
end

# Succeeds when the next word is a subcommand of the command path $argv.
function __spark_space_needs_command
    set -l state (__spark_space_state)
    test "$state[1]" = 0; and test "$state[2]" = 0; and test "$state[3..-1]" = "$argv"
end

# Succeeds when the next word is argument $argv[1] (from 0; "2+" is 2 or later)
# of the command path $argv[2..].
function __spark_space_argument
    set -l state (__spark_space_state)
    test "$state[2]" = 0; and test "$state[3..-1]" = "$argv[2..-1]"; or return
    set -l index (string trim -c + -- $argv[1])
    test $state[1] = $index; or begin
        string match -q -- '*+' $argv[1]; and test $state[1] -ge $index
    end
end

# Room titles from `spark-space rooms list`; nothing without a token.
function __spark_space_room_titles
    # fish itself reports a missing command, whatever the redirection.
    command -q spark-space; and command spark-space (__spark_space_state settings) rooms list -o tsv --limit 0 --timeout 5 --max-wait 0 </dev/null 2>/dev/null | cut -f2
end

# Profile names from `spark-space settings profiles`.
function __spark_space_profiles
    command -q spark-space; and command spark-space (__spark_space_state settings) settings profiles </dev/null 2>/dev/null
end

# The subcommands of the command path $argv ('' is the top level), one a line.
function __spark_space_subcommands
    switch "$argv"
        case ''
            echo whoami settings rooms teams participants people provision post messages walk-messages attachments webhooks listen wait pull archive auth api version help completions
        case 'settings'
            echo show profiles
        case 'rooms'
            echo list get create rename update delete
        case 'teams'
            echo list get create rename delete members
        case 'teams members'
            echo list add remove
        case 'participants'
            echo list add remove set
        case 'people'
            echo get list
        case 'provision'
            echo export
        case 'messages'
            echo get edit delete
        case 'attachments'
            echo name download
        case 'webhooks'
            echo list register deregister create get update delete
        case 'auth'
            echo login status token refresh logout
    end | string split ' '
end

# Succeeds when option $argv[1] takes a value in command path $argv[2..].
function __spark_space_takes_value
    switch "$argv[2..-1]|$argv[1]"
        case 'rooms list|--type' \
            'rooms list|--team' \
            'rooms list|--limit' \
            'rooms get|--person' \
            'rooms create|--team' \
            'rooms create|--participant' \
            'rooms update|--title' \
            'rooms update|--description' \
            'rooms update|--team' \
            'teams list|--limit' \
            'teams create|--description' \
            'people list|--email' \
            'people list|--name' \
            'people list|--limit' \
            'provision|-f' \
            'provision|--file' \
            'provision export|--team' \
            'post|--person' \
            'post|--text' \
            'post|--markdown' \
            'post|--file' \
            'post|--reply-to' \
            'post|--mention' \
            'post|--card' \
            'post|--within' \
            'messages edit|--text' \
            'messages edit|--markdown' \
            'walk-messages|--limit' \
            'walk-messages|--since' \
            'walk-messages|--before' \
            'walk-messages|--thread' \
            'walk-messages|--person' \
            'walk-messages|--parallel' \
            'walk-messages|--download' \
            'attachments download|-d' \
            'attachments download|--dir' \
            'webhooks register|--secret' \
            'webhooks register|--prefix' \
            'webhooks deregister|--prefix' \
            'webhooks create|--resource' \
            'webhooks create|--event' \
            'webhooks create|--filter' \
            'webhooks create|--secret' \
            'webhooks update|--name' \
            'webhooks update|--url' \
            'webhooks update|--secret' \
            'webhooks update|--filter' \
            'webhooks update|--status' \
            'listen|--binding' \
            'listen|--port' \
            'listen|--hook' \
            'listen|--secret' \
            'listen|--register' \
            'listen|--type' \
            'listen|--count' \
            'wait|--card' \
            'wait|--reply-to' \
            'wait|--from' \
            'wait|--match' \
            'wait|--within' \
            'pull|--interval' \
            'pull|--state' \
            'archive|--team' \
            'archive|--type' \
            'archive|--since' \
            'archive|--parallel' \
            'auth login|--client-id' \
            'auth login|--client-secret-file' \
            'auth login|--scope' \
            'api|-X' \
            'api|--method' \
            'api|-f' \
            'api|--raw-field' \
            'api|-F' \
            'api|--field' \
            'api|--input' \
            '*|-c' \
            '*|--config' \
            '*|--profile' \
            '*|--token' \
            '*|--token-file' \
            '*|--audit-token' \
            '*|--audit-token-file' \
            '*|--api-url' \
            '*|--as' \
            '*|--room' \
            '*|-o' \
            '*|--output' \
            '*|--fields' \
            '*|--timeout' \
            '*|--max-wait' \
            '*|--cacert'
            return 0
    end
    return 1
end

# Prints option $argv[1]'s value $argv[2] as --name=value when the option is a
# setting (-c FILE): completions that run spark-space pass it on.
function __spark_space_setting
    set -l value (string replace -r -- '^~/' "$HOME/" $argv[2])
    switch $argv[1]
        case -c --config
            printf '%s\n' --config=$value
        case --profile
            printf '%s\n' --profile=$value
        case --token
            printf '%s\n' --token=$value
        case --token-file
            printf '%s\n' --token-file=$value
        case --audit-token
            printf '%s\n' --audit-token=$value
        case --audit-token-file
            printf '%s\n' --audit-token-file=$value
        case --api-url
            printf '%s\n' --api-url=$value
        case --as
            printf '%s\n' --as=$value
    end
end

# Declares subcommand $argv[2] of command path $argv[1], described as $argv[3].
function __spark_space_subcommand
    complete -c spark-space -n "__spark_space_needs_command $argv[1]" -a $argv[2] -d $argv[3]
end

# Declares option -$argv[2] (none when '') --$argv[3] of command path $argv[1] ('' for
# a global option): its value completes as $argv[4] (:flag when it takes none, :text
# any text, :file a file, else the words for -a), $argv[5] describes it.
function __spark_space_option
    set -l flags -l $argv[3] -d $argv[5]
    test -n "$argv[1]"; and set -a flags -n "__spark_space_in $argv[1]"
    test -n "$argv[2]"; and set -a flags -s $argv[2]
    switch $argv[4]
        case :flag
        case :text
            set -a flags -x
        case :file
            set -a flags -r -F
        case '*'
            set -a flags -x -a $argv[4]
    end
    complete -c spark-space $flags
end

# Declares how argument $argv[2] (from 0; "2+" is 2 or later) of command path
# $argv[1] completes: $argv[3] is :file, or the words for -a.
function __spark_space_argument_values
    set -l condition "__spark_space_argument $argv[2] $argv[1]"
    if test "$argv[3]" = :file
        complete -c spark-space -n $condition -F
    else
        complete -c spark-space -n $condition -a $argv[3]
    end
end

complete -c spark-space -f

# spark-space
__spark_space_subcommand '' 'whoami' 'show the bot (and the audit identity when an audit token is set)'
__spark_space_subcommand '' 'settings' 'inspect the resolved settings'
__spark_space_subcommand '' 'rooms' 'list, show, create, rename, update and delete rooms'
__spark_space_subcommand '' 'teams' 'list, show, create, rename and delete teams, and manage their members'
__spark_space_subcommand '' 'participants' 'list, add, remove and set moderators among the people of a room'
__spark_space_subcommand '' 'people' 'look people up'
__spark_space_subcommand '' 'provision' 'make spaces match a manifest (-f) or the settings\' room, team and participants'
__spark_space_subcommand '' 'post' 'post a message (text, markdown and/or one file) to a room or a person'
__spark_space_subcommand '' 'messages' 'get, edit and delete single messages'
__spark_space_subcommand '' 'walk-messages' 'print a room\'s messages, newest first, streamed page by page'
__spark_space_subcommand '' 'attachments' 'name and download message attachments'
__spark_space_subcommand '' 'webhooks' 'list, register and deregister the bot\'s webhooks; create, show, update and delete any'
__spark_space_subcommand '' 'listen' 'receive webhook deliveries and print each normalized event as one JSON line'
__spark_space_subcommand '' 'wait' 'block until a card is submitted or a thread gets a reply, and print that event'
__spark_space_subcommand '' 'pull' 'poll the room\'s messages that mention the bot and print the new ones'
__spark_space_subcommand '' 'archive' 'keep an incremental archive of many rooms in a directory'
__spark_space_subcommand '' 'auth' 'sign a person in (OAuth device grant) and manage the stored sign-in'
__spark_space_subcommand '' 'api' 'call any API endpoint and print its JSON (as gh api)'
__spark_space_subcommand '' 'version' 'print the version, the build, and the Swift and libcurl versions'
__spark_space_subcommand '' 'help' 'show help for a command, or the global options (help globals)'
__spark_space_subcommand '' 'completions' 'print a shell completion script'


# spark-space settings
__spark_space_subcommand 'settings' 'show' 'print the resolved settings (tokens and secret as *** plus last 4)'
__spark_space_subcommand 'settings' 'profiles' 'list the profiles of the settings file, one name a line (for --profile)'

# spark-space settings show
__spark_space_option 'settings show' '' 'sources' ':flag' 'add where each value came from: flag, file, env or default'


# spark-space rooms
__spark_space_subcommand 'rooms' 'list' 'list rooms, most recently active first'
__spark_space_subcommand 'rooms' 'get' 'show a room by id or title, or the direct room with a person'
__spark_space_subcommand 'rooms' 'create' 'create a group room'
__spark_space_subcommand 'rooms' 'rename' 'change a room\'s title'
__spark_space_subcommand 'rooms' 'update' 'change a room\'s title, description, lock, announcement mode or team'
__spark_space_subcommand 'rooms' 'delete' 'delete a room'

# spark-space rooms list
__spark_space_option 'rooms list' '' 'type' 'group direct all' 'group (default), direct or all'
__spark_space_option 'rooms list' '' 'team' ':text' 'only the rooms of this team (name or id)'
__spark_space_option 'rooms list' '' 'limit' ':text' 'at most N rooms (default 10, 0 = all)'

# spark-space rooms get
__spark_space_option 'rooms get' '' 'person' ':text' 'the direct (1:1) room with this person'
__spark_space_argument_values 'rooms get' '0' '(__spark_space_room_titles)'

# spark-space rooms create
__spark_space_option 'rooms create' '' 'team' ':text' 'create the room in this team (name or id)'
__spark_space_option 'rooms create' '' 'participant' ':text' 'add this person (repeatable)'
__spark_space_option 'rooms create' '' 'if-missing' ':flag' 'print the existing room of that title instead of creating one'

# spark-space rooms rename
__spark_space_argument_values 'rooms rename' '0' '(__spark_space_room_titles)'

# spark-space rooms update
__spark_space_option 'rooms update' '' 'title' ':text' 'the new title'
__spark_space_option 'rooms update' '' 'description' ':text' 'the new description'
__spark_space_option 'rooms update' '' 'lock' ':flag' 'lock (moderate) the room'
__spark_space_option 'rooms update' '' 'unlock' ':flag' 'unlock the room'
__spark_space_option 'rooms update' '' 'announcement-only' ':flag' 'only moderators may post'
__spark_space_option 'rooms update' '' 'no-announcement-only' ':flag' 'everyone may post'
__spark_space_option 'rooms update' '' 'team' ':text' 'move a room without a team into this team (name or id)'
__spark_space_argument_values 'rooms update' '0' '(__spark_space_room_titles)'

# spark-space rooms delete
__spark_space_option 'rooms delete' 'y' 'yes' ':flag' 'do not ask for confirmation'
__spark_space_argument_values 'rooms delete' '0' '(__spark_space_room_titles)'

# spark-space teams
__spark_space_subcommand 'teams' 'list' 'list the teams the bot belongs to'
__spark_space_subcommand 'teams' 'get' 'show a team by name or id'
__spark_space_subcommand 'teams' 'create' 'create a team (Webex also creates its general room)'
__spark_space_subcommand 'teams' 'rename' 'change a team\'s name'
__spark_space_subcommand 'teams' 'delete' 'delete a team'
__spark_space_subcommand 'teams' 'members' 'list, add and remove the members of a team'

# spark-space teams list
__spark_space_option 'teams list' '' 'limit' ':text' 'at most N teams (default 0 = all)'


# spark-space teams create
__spark_space_option 'teams create' '' 'description' ':text' 'the team\'s description'
__spark_space_option 'teams create' '' 'if-missing' ':flag' 'print the team of that name if there is one; create it only if not'


# spark-space teams delete
__spark_space_option 'teams delete' 'y' 'yes' ':flag' 'do not ask for confirmation'

# spark-space teams members
__spark_space_subcommand 'teams members' 'list' 'list the members of a team'
__spark_space_subcommand 'teams members' 'add' 'add people to a team'
__spark_space_subcommand 'teams members' 'remove' 'remove people from a team'


# spark-space teams members add
__spark_space_option 'teams members add' '' 'moderator' ':flag' 'make them team moderators'


# spark-space participants
__spark_space_subcommand 'participants' 'list' 'list the people of a room (without the bot unless --include-bot)'
__spark_space_subcommand 'participants' 'add' 'add people to a room'
__spark_space_subcommand 'participants' 'remove' 'remove people from a room'
__spark_space_subcommand 'participants' 'set' 'make room members moderators, or not'

# spark-space participants list
__spark_space_option 'participants list' '' 'include-bot' ':flag' 'list the bot too'
__spark_space_argument_values 'participants list' '0' '(__spark_space_room_titles)'

# spark-space participants add
__spark_space_option 'participants add' '' 'moderator' ':flag' 'make them moderators'
__spark_space_argument_values 'participants add' '0' '(__spark_space_room_titles)'

# spark-space participants remove
__spark_space_argument_values 'participants remove' '0' '(__spark_space_room_titles)'

# spark-space participants set
__spark_space_option 'participants set' '' 'moderator' ':flag' 'make them moderators'
__spark_space_option 'participants set' '' 'no-moderator' ':flag' 'make them plain members'
__spark_space_argument_values 'participants set' '0' '(__spark_space_room_titles)'

# spark-space people
__spark_space_subcommand 'people' 'get' 'show a person by e-mail, id, or me (the token\'s owner)'
__spark_space_subcommand 'people' 'list' 'list people by e-mail or display-name prefix'


# spark-space people list
__spark_space_option 'people list' '' 'email' ':text' 'the person with this e-mail address'
__spark_space_option 'people list' '' 'name' ':text' 'people whose display name starts with PREFIX'
__spark_space_option 'people list' '' 'limit' ':text' 'at most N people (default 0 = all)'

# spark-space provision
__spark_space_subcommand 'provision' 'export' 'print a spaces manifest of existing rooms and their teams, for provision -f'
__spark_space_option 'provision' 'f' 'file' ':file' 'the spaces manifest (YAML or JSON)'
__spark_space_option 'provision' '' 'check' ':flag' 'print the plan, write nothing, exit 7 when anything would change'
__spark_space_option 'provision' '' 'prune' ':flag' 'also remove people and moderator flags the manifest does not list'

# spark-space provision export
__spark_space_option 'provision export' '' 'team' ':text' 'the rooms of this team (name or id), and the team'
__spark_space_option 'provision export' '' 'all' ':flag' 'every group room the identity is in'
__spark_space_argument_values 'provision export' '0+' '(__spark_space_room_titles)'

# spark-space post
__spark_space_option 'post' '' 'person' ':text' 'post to the direct room with this person'
__spark_space_option 'post' '' 'text' ':text' 'plain text (- reads stdin)'
__spark_space_option 'post' '' 'markdown' ':text' 'markdown (- reads stdin)'
__spark_space_option 'post' '' 'file' ':file' 'a local file to upload, or a URL'
__spark_space_option 'post' '' 'reply-to' ':text' 'reply in the thread of this message (parentId)'
__spark_space_option 'post' '' 'mention' ':text' 'mention this person at the start of the markdown'
__spark_space_option 'post' '' 'card' ':file' 'attach an Adaptive Card (JSON; - reads stdin); needs --text or --markdown'
__spark_space_option 'post' '' 'wait' ':flag' 'with --card: connect first, post, then print the card\'s first submission'
__spark_space_option 'post' '' 'within' ':text' 'give up after DURATION (90s, 30m, 2h): exit 8, nothing printed'
__spark_space_argument_values 'post' '0' '(__spark_space_room_titles)'

# spark-space messages
__spark_space_subcommand 'messages' 'get' 'one message, as a normalized event unless --raw'
__spark_space_subcommand 'messages' 'edit' 'replace a message\'s text or markdown; prints the edited message'
__spark_space_subcommand 'messages' 'delete' 'delete messages; asks on a terminal, needs --yes otherwise'

# spark-space messages get
__spark_space_option 'messages get' '' 'raw' ':flag' 'print the API object untouched'

# spark-space messages edit
__spark_space_option 'messages edit' '' 'text' ':text' 'the new plain text (- reads stdin)'
__spark_space_option 'messages edit' '' 'markdown' ':text' 'the new markdown (- reads stdin)'

# spark-space messages delete
__spark_space_option 'messages delete' 'y' 'yes' ':flag' 'do not ask for confirmation'

# spark-space walk-messages
__spark_space_option 'walk-messages' '' 'limit' ':text' 'at most N messages (default 0 = all)'
__spark_space_option 'walk-messages' '' 'since' ':text' 'stop at messages older than TIME'
__spark_space_option 'walk-messages' '' 'before' ':text' 'start before this time or message'
__spark_space_option 'walk-messages' '' 'mentions-me' ':flag' 'only messages that mention the caller (mentionedPeople=me)'
__spark_space_option 'walk-messages' '' 'thread' ':text' 'only the replies to this message (parentId)'
__spark_space_option 'walk-messages' '' 'person' ':text' 'the direct (1:1) messages with this person'
__spark_space_option 'walk-messages' '' 'parallel' ':text' 'read N time windows of the history at once (1-16, default 4; 1 = page after page)'
__spark_space_option 'walk-messages' '' 'raw' ':flag' 'print the API objects untouched'
__spark_space_option 'walk-messages' '' 'names' ':flag' 'resolve attachment names (one HEAD per message with files)'
__spark_space_option 'walk-messages' '' 'download' '(__fish_complete_directories (commandline -ct))' 'save every attachment met into DIR (never overwrites; a re-run resumes)'
__spark_space_argument_values 'walk-messages' '0' '(__spark_space_room_titles)'

# spark-space attachments
__spark_space_subcommand 'attachments' 'name' 'print an attachment\'s file name (HEAD, Content-Disposition)'
__spark_space_subcommand 'attachments' 'download' 'download attachments, streamed to disk'


# spark-space attachments download
__spark_space_option 'attachments download' 'd' 'dir' '(__fish_complete_directories (commandline -ct))' 'directory to save into (default .)'
__spark_space_option 'attachments download' '' 'force' ':flag' 'overwrite existing files'
__spark_space_option 'attachments download' '' 'stdout' ':flag' 'write the contents to stdout, not to files'

# spark-space webhooks
__spark_space_subcommand 'webhooks' 'list' 'webhooks of the bot token and, when set, of the audit token'
__spark_space_subcommand 'webhooks' 'register' 'create P-memberships, P-messages (P-audit, P-cards), then drop the older P- ones'
__spark_space_subcommand 'webhooks' 'deregister' 'delete the webhooks named P-... of the bot and audit tokens'
__spark_space_subcommand 'webhooks' 'create' 'create any webhook (--as audit: with the audit token)'
__spark_space_subcommand 'webhooks' 'get' 'show one webhook (secret as *** plus last 4)'
__spark_space_subcommand 'webhooks' 'update' 'change a webhook\'s name, URL or secret, or re-activate it'
__spark_space_subcommand 'webhooks' 'delete' 'delete webhooks by id'


# spark-space webhooks register
__spark_space_option 'webhooks register' '' 'secret' ':text' 'sign deliveries with S (default server.secret)'
__spark_space_option 'webhooks register' '' 'prefix' ':text' 'webhook name prefix: P-memberships, P-messages, P-audit (default shellbot)'
__spark_space_option 'webhooks register' '' 'cards' ':flag' 'also create P-cards (attachmentActions/created: card submissions)'

# spark-space webhooks deregister
__spark_space_option 'webhooks deregister' '' 'prefix' ':text' 'webhook name prefix: P-memberships, P-messages, P-audit (default shellbot)'
__spark_space_option 'webhooks deregister' '' 'all' ':flag' 'delete every webhook of both tokens, whatever its name'
__spark_space_option 'webhooks deregister' 'y' 'yes' ':flag' 'do not ask for confirmation (with --all)'

# spark-space webhooks create
__spark_space_option 'webhooks create' '' 'resource' 'all attachmentActions dataSources memberships messages rooms meetings recordings convergedRecordings meetingParticipants meetingTranscripts telephony_calls telephony_conference telephony_mwi uc_counters serviceApp adminBatchJobs' 'the resource (messages, memberships, ...)'
__spark_space_option 'webhooks create' '' 'event' 'all created updated deleted started ended joined left migrated authorized deauthorized statusChanged' 'the event (created, deleted, all, ...)'
__spark_space_option 'webhooks create' '' 'filter' ':text' 'only events matching F (e.g. roomId=...)'
__spark_space_option 'webhooks create' '' 'secret' ':text' 'sign deliveries with S'


# spark-space webhooks update
__spark_space_option 'webhooks update' '' 'name' ':text' 'the new name'
__spark_space_option 'webhooks update' '' 'url' ':text' 'the new target URL'
__spark_space_option 'webhooks update' '' 'secret' ':text' 'the new secret'
__spark_space_option 'webhooks update' '' 'filter' ':text' 'refused: Webex cannot change a filter'
__spark_space_option 'webhooks update' '' 'status' 'active inactive' 'active (re-activate; Webex cannot deactivate a webhook)'

# spark-space webhooks delete
__spark_space_option 'webhooks delete' 'y' 'yes' ':flag' 'do not ask for confirmation'

# spark-space listen
__spark_space_option 'listen' '' 'binding' ':text' 'address to listen on (default server.binding, 0.0.0.0)'
__spark_space_option 'listen' '' 'port' ':text' 'port to listen on (default server.port, 8080; 0 = any free)'
__spark_space_option 'listen' '' 'hook' ':text' 'path deliveries are posted to (default server.hook, /hook)'
__spark_space_option 'listen' '' 'secret' ':text' 'require deliveries signed with S (default server.secret)'
__spark_space_option 'listen' '' 'register' ':text' 'register a set of this run\'s own for URL on start (listen-HOST-PID), delete it on exit'
__spark_space_option 'listen' '' 'websocket' ':flag' 'receive events over Webex\'s websocket: no public URL needed'
__spark_space_option 'listen' '' 'type' 'message edit delete card join leave moderator' 'only events of this type (repeatable)'
__spark_space_option 'listen' '' 'count' ':text' 'exit 0 after N events'
__spark_space_option 'listen' '' 'include-self' ':flag' 'also print this identity\'s own messages'
__spark_space_option 'listen' '' 'prune-devices' ':flag' 'first delete this identity\'s devices named spark-space*'

# spark-space wait
__spark_space_option 'wait' '' 'card' ':text' 'wait for the first submission of this message\'s card'
__spark_space_option 'wait' '' 'reply-to' ':text' 'wait for the first reply in this message\'s thread'
__spark_space_option 'wait' '' 'from' ':text' 'only from this person (repeatable)'
__spark_space_option 'wait' '' 'match' ':text' 'only a reply whose text matches REGEX'
__spark_space_option 'wait' '' 'within' ':text' 'give up after DURATION (90s, 30m, 2h): exit 8, nothing printed'

# spark-space pull
__spark_space_option 'pull' '' 'interval' ':text' 'seconds between polls (default 10)'
__spark_space_option 'pull' '' 'once' ':flag' 'poll once and exit'
__spark_space_option 'pull' '' 'state' ':file' 'keep the last seen message id in FILE between runs'
__spark_space_argument_values 'pull' '0' '(__spark_space_room_titles)'

# spark-space archive
__spark_space_option 'archive' '' 'all' ':flag' 'every room the token can see (of --type, default group)'
__spark_space_option 'archive' '' 'team' ':text' 'the rooms of this team (name or id)'
__spark_space_option 'archive' '' 'type' 'group direct all' 'group (default), direct or all'
__spark_space_option 'archive' '' 'since' ':text' 'on a room\'s first run, only messages from TIME on (RFC 3339 or an age: 30d)'
__spark_space_option 'archive' '' 'attachments' ':flag' 'save the messages\' files into each room\'s files/ (never overwrites; a re-run resumes)'
__spark_space_option 'archive' '' 'html' ':flag' 'write static pages: an index.html per room and one listing the rooms (no script, no remote resource)'
__spark_space_option 'archive' '' 'parallel' ':text' 'rooms archived at once (1-16, default 4)'
__spark_space_argument_values 'archive' '1+' '(__spark_space_room_titles)'

# spark-space auth
__spark_space_subcommand 'auth' 'login' 'sign in with the device grant: a code to enter on any device'
__spark_space_subcommand 'auth' 'status' 'each token in use: who, where it comes from, expiry, scopes (exit 3 when one fails)'
__spark_space_subcommand 'auth' 'token' 'print the token in use, refreshed if due (the sign-in\'s by default when there is one)'
__spark_space_subcommand 'auth' 'refresh' 'refresh the stored sign-in now'
__spark_space_subcommand 'auth' 'logout' 'delete the stored sign-in of the profile'

# spark-space auth login
__spark_space_option 'auth login' '' 'client-id' ':text' 'the integration\'s client id (default oauth.client_id, env SPARK_OAUTH_CLIENT_ID)'
__spark_space_option 'auth login' '' 'client-secret-file' ':file' 'read the integration\'s client secret from FILE, or - for stdin (default oauth.client_secret)'
__spark_space_option 'auth login' '' 'scope' ':text' 'a scope to ask for (repeatable; default spark:all)'





# spark-space api
__spark_space_option 'api' 'X' 'method' ':text' 'GET (default), POST, PUT, PATCH, DELETE or HEAD'
__spark_space_option 'api' 'f' 'raw-field' ':text' 'a string field of the body (the query for GET)'
__spark_space_option 'api' 'F' 'field' ':text' 'a typed field: true, false, null, a number or JSON, else a string'
__spark_space_option 'api' '' 'input' ':file' 'send the JSON body in FILE, or - for stdin'
__spark_space_option 'api' '' 'paginate' ':flag' 'follow Link rel=next and print every item'


# spark-space help
__spark_space_option 'help' '' 'man' ':flag' 'print the manual page (roff) instead; read it with: spark-space help --man | man -l -'
__spark_space_argument_values 'help' '0+' '(__spark_space_commands)'

# spark-space completions
__spark_space_argument_values 'completions' '0' 'bash zsh fish'

# Global options.
__spark_space_option '' 'c' 'config' ':file' 'settings file (YAML or JSON)'
__spark_space_option '' '' 'profile' '(__spark_space_profiles)' 'use the settings file\'s profiles.NAME and its own sign-in (env SPARK_SPACE_PROFILE)'
__spark_space_option '' '' 'token' ':text' 'bot token (prefer --token-file: argv shows in ps)'
__spark_space_option '' '' 'token-file' ':file' 'read the bot token from FILE, or - for stdin'
__spark_space_option '' '' 'audit-token' ':text' 'audit token (a person\'s token)'
__spark_space_option '' '' 'audit-token-file' ':file' 'read the audit token from FILE, or - for stdin'
__spark_space_option '' '' 'api-url' ':text' 'API base (default https://webexapis.com/v1; env SPARK_API_URL)'
__spark_space_option '' '' 'as' 'bot audit' 'which token the command uses: bot or audit'
__spark_space_option '' '' 'room' '(__spark_space_room_titles)' 'the room for commands that take one'
__spark_space_option '' 'o' 'output' 'table wide tsv json ndjson yaml' 'table, wide (a table never cut), tsv, json or ndjson (yaml: provision export only)'
__spark_space_option '' '' 'fields' ':text' 'the columns or keys to print, in that order (a,b,c)'
__spark_space_option '' '' 'json' ':flag' 'same as -o json'
__spark_space_option '' '' 'dry-run' ':flag' 'for commands that write: print each write (method, path, body) instead of sending it'
__spark_space_option '' 'q' 'quiet' ':flag' 'print less on stderr'
__spark_space_option '' 'v' 'verbose' ':flag' 'log each HTTP call on stderr (method, path, status, ms)'
__spark_space_option '' '' 'timeout' ':text' 'connect timeout and longest stall (default 60)'
__spark_space_option '' '' 'max-wait' ':text' 'total time to wait on 429 Retry-After (default 300)'
__spark_space_option '' '' 'cacert' ':file' 'an extra CA certificate bundle (also env SSL_CERT_FILE)'
__spark_space_option '' 'h' 'help' ':flag' 'show help'
__spark_space_option '' '' 'version' ':flag' 'print the version'
