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
            'api|--field' \
            'api|-F' \
            'api|--raw-field' \
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

complete -c spark-space -f

# spark-space
complete -c spark-space -n '__spark_space_needs_command' -a whoami -d 'show the bot (and the audit identity when an audit token is set)'
complete -c spark-space -n '__spark_space_needs_command' -a settings -d 'inspect the resolved settings'
complete -c spark-space -n '__spark_space_needs_command' -a rooms -d 'list, show, create, rename, update and delete rooms'
complete -c spark-space -n '__spark_space_needs_command' -a teams -d 'list, show, create, rename and delete teams, and manage their members'
complete -c spark-space -n '__spark_space_needs_command' -a participants -d 'list, add, remove and set moderators among the people of a room'
complete -c spark-space -n '__spark_space_needs_command' -a people -d 'look people up'
complete -c spark-space -n '__spark_space_needs_command' -a provision -d 'make spaces match a manifest (-f) or the settings\' room, team and participants'
complete -c spark-space -n '__spark_space_needs_command' -a post -d 'post a message (text, markdown and/or one file) to a room or a person'
complete -c spark-space -n '__spark_space_needs_command' -a messages -d 'get, edit and delete single messages'
complete -c spark-space -n '__spark_space_needs_command' -a walk-messages -d 'print a room\'s messages, newest first, streamed page by page'
complete -c spark-space -n '__spark_space_needs_command' -a attachments -d 'name and download message attachments'
complete -c spark-space -n '__spark_space_needs_command' -a webhooks -d 'list, register and deregister the bot\'s webhooks; create, show, update and delete any'
complete -c spark-space -n '__spark_space_needs_command' -a listen -d 'receive webhook deliveries and print each normalized event as one JSON line'
complete -c spark-space -n '__spark_space_needs_command' -a wait -d 'block until a card is submitted or a thread gets a reply, and print that event'
complete -c spark-space -n '__spark_space_needs_command' -a pull -d 'poll the room\'s messages that mention the bot and print the new ones'
complete -c spark-space -n '__spark_space_needs_command' -a archive -d 'keep an incremental archive of many rooms in a directory'
complete -c spark-space -n '__spark_space_needs_command' -a auth -d 'sign a person in (OAuth device grant) and manage the stored sign-in'
complete -c spark-space -n '__spark_space_needs_command' -a api -d 'call any API endpoint and print its JSON (as gh api)'
complete -c spark-space -n '__spark_space_needs_command' -a version -d 'print the version, the build, and the Swift and libcurl versions'
complete -c spark-space -n '__spark_space_needs_command' -a help -d 'show help for a command, or the global options (help globals)'
complete -c spark-space -n '__spark_space_needs_command' -a completions -d 'print a shell completion script'


# spark-space settings
complete -c spark-space -n '__spark_space_needs_command settings' -a show -d 'print the resolved settings (tokens and secret as *** plus last 4)'
complete -c spark-space -n '__spark_space_needs_command settings' -a profiles -d 'list the profiles of the settings file, one name a line (for --profile)'

# spark-space settings show
complete -c spark-space -n '__spark_space_in settings show' -l sources -d 'add where each value came from: flag, file, env or default'


# spark-space rooms
complete -c spark-space -n '__spark_space_needs_command rooms' -a list -d 'list rooms, most recently active first'
complete -c spark-space -n '__spark_space_needs_command rooms' -a get -d 'show a room by id or title, or the direct room with a person'
complete -c spark-space -n '__spark_space_needs_command rooms' -a create -d 'create a group room'
complete -c spark-space -n '__spark_space_needs_command rooms' -a rename -d 'change a room\'s title'
complete -c spark-space -n '__spark_space_needs_command rooms' -a update -d 'change a room\'s title, description, lock, announcement mode or team'
complete -c spark-space -n '__spark_space_needs_command rooms' -a delete -d 'delete a room'

# spark-space rooms list
complete -c spark-space -n '__spark_space_in rooms list' -l type -x -a 'group direct all' -d 'group (default), direct or all'
complete -c spark-space -n '__spark_space_in rooms list' -l team -x -d 'only the rooms of this team (name or id)'
complete -c spark-space -n '__spark_space_in rooms list' -l limit -x -d 'at most N rooms (default 10, 0 = all)'

# spark-space rooms get
complete -c spark-space -n '__spark_space_in rooms get' -l person -x -d 'the direct (1:1) room with this person'
complete -c spark-space -n '__spark_space_argument 0 rooms get' -a '(__spark_space_room_titles)'

# spark-space rooms create
complete -c spark-space -n '__spark_space_in rooms create' -l team -x -d 'create the room in this team (name or id)'
complete -c spark-space -n '__spark_space_in rooms create' -l participant -x -d 'add this person (repeatable)'
complete -c spark-space -n '__spark_space_in rooms create' -l if-missing -d 'print the existing room of that title instead of creating one'

# spark-space rooms rename
complete -c spark-space -n '__spark_space_argument 0 rooms rename' -a '(__spark_space_room_titles)'

# spark-space rooms update
complete -c spark-space -n '__spark_space_in rooms update' -l title -x -d 'the new title'
complete -c spark-space -n '__spark_space_in rooms update' -l description -x -d 'the new description'
complete -c spark-space -n '__spark_space_in rooms update' -l lock -d 'lock (moderate) the room'
complete -c spark-space -n '__spark_space_in rooms update' -l unlock -d 'unlock the room'
complete -c spark-space -n '__spark_space_in rooms update' -l announcement-only -d 'only moderators may post'
complete -c spark-space -n '__spark_space_in rooms update' -l no-announcement-only -d 'everyone may post'
complete -c spark-space -n '__spark_space_in rooms update' -l team -x -d 'move a room without a team into this team (name or id)'
complete -c spark-space -n '__spark_space_argument 0 rooms update' -a '(__spark_space_room_titles)'

# spark-space rooms delete
complete -c spark-space -n '__spark_space_in rooms delete' -s y -l yes -d 'do not ask for confirmation'
complete -c spark-space -n '__spark_space_argument 0 rooms delete' -a '(__spark_space_room_titles)'

# spark-space teams
complete -c spark-space -n '__spark_space_needs_command teams' -a list -d 'list the teams the bot belongs to'
complete -c spark-space -n '__spark_space_needs_command teams' -a get -d 'show a team by name or id'
complete -c spark-space -n '__spark_space_needs_command teams' -a create -d 'create a team (Webex also creates its general room)'
complete -c spark-space -n '__spark_space_needs_command teams' -a rename -d 'change a team\'s name'
complete -c spark-space -n '__spark_space_needs_command teams' -a delete -d 'delete a team'
complete -c spark-space -n '__spark_space_needs_command teams' -a members -d 'list, add and remove the members of a team'

# spark-space teams list
complete -c spark-space -n '__spark_space_in teams list' -l limit -x -d 'at most N teams (default 0 = all)'


# spark-space teams create
complete -c spark-space -n '__spark_space_in teams create' -l description -x -d 'the team\'s description'


# spark-space teams delete
complete -c spark-space -n '__spark_space_in teams delete' -s y -l yes -d 'do not ask for confirmation'

# spark-space teams members
complete -c spark-space -n '__spark_space_needs_command teams members' -a list -d 'list the members of a team'
complete -c spark-space -n '__spark_space_needs_command teams members' -a add -d 'add people to a team'
complete -c spark-space -n '__spark_space_needs_command teams members' -a remove -d 'remove people from a team'


# spark-space teams members add
complete -c spark-space -n '__spark_space_in teams members add' -l moderator -d 'make them team moderators'


# spark-space participants
complete -c spark-space -n '__spark_space_needs_command participants' -a list -d 'list the people of a room (without the bot unless --include-bot)'
complete -c spark-space -n '__spark_space_needs_command participants' -a add -d 'add people to a room'
complete -c spark-space -n '__spark_space_needs_command participants' -a remove -d 'remove people from a room'
complete -c spark-space -n '__spark_space_needs_command participants' -a set -d 'make room members moderators, or not'

# spark-space participants list
complete -c spark-space -n '__spark_space_in participants list' -l include-bot -d 'list the bot too'
complete -c spark-space -n '__spark_space_argument 0 participants list' -a '(__spark_space_room_titles)'

# spark-space participants add
complete -c spark-space -n '__spark_space_in participants add' -l moderator -d 'make them moderators'
complete -c spark-space -n '__spark_space_argument 0 participants add' -a '(__spark_space_room_titles)'

# spark-space participants remove
complete -c spark-space -n '__spark_space_argument 0 participants remove' -a '(__spark_space_room_titles)'

# spark-space participants set
complete -c spark-space -n '__spark_space_in participants set' -l moderator -d 'make them moderators'
complete -c spark-space -n '__spark_space_in participants set' -l no-moderator -d 'make them plain members'
complete -c spark-space -n '__spark_space_argument 0 participants set' -a '(__spark_space_room_titles)'

# spark-space people
complete -c spark-space -n '__spark_space_needs_command people' -a get -d 'show a person by e-mail, id, or me (the token\'s owner)'
complete -c spark-space -n '__spark_space_needs_command people' -a list -d 'list people by e-mail or display-name prefix'


# spark-space people list
complete -c spark-space -n '__spark_space_in people list' -l email -x -d 'the person with this e-mail address'
complete -c spark-space -n '__spark_space_in people list' -l name -x -d 'people whose display name starts with PREFIX'
complete -c spark-space -n '__spark_space_in people list' -l limit -x -d 'at most N people (default 0 = all)'

# spark-space provision
complete -c spark-space -n '__spark_space_needs_command provision' -a export -d 'print a spaces manifest of existing rooms and their teams, for provision -f'
complete -c spark-space -n '__spark_space_in provision' -s f -l file -r -F -d 'the spaces manifest (YAML or JSON)'
complete -c spark-space -n '__spark_space_in provision' -l check -d 'print the plan, write nothing, exit 7 when anything would change'
complete -c spark-space -n '__spark_space_in provision' -l prune -d 'also remove people and moderator flags the manifest does not list'

# spark-space provision export
complete -c spark-space -n '__spark_space_in provision export' -l team -x -d 'the rooms of this team (name or id), and the team'
complete -c spark-space -n '__spark_space_in provision export' -l all -d 'every group room the identity is in'
complete -c spark-space -n '__spark_space_argument 0+ provision export' -a '(__spark_space_room_titles)'

# spark-space post
complete -c spark-space -n '__spark_space_in post' -l person -x -d 'post to the direct room with this person'
complete -c spark-space -n '__spark_space_in post' -l text -x -d 'plain text (- reads stdin)'
complete -c spark-space -n '__spark_space_in post' -l markdown -x -d 'markdown (- reads stdin)'
complete -c spark-space -n '__spark_space_in post' -l file -r -F -d 'a local file to upload, or a URL'
complete -c spark-space -n '__spark_space_in post' -l reply-to -x -d 'reply in the thread of this message (parentId)'
complete -c spark-space -n '__spark_space_in post' -l mention -x -d 'mention this person at the start of the markdown'
complete -c spark-space -n '__spark_space_in post' -l card -r -F -d 'attach an Adaptive Card (JSON; - reads stdin); needs --text or --markdown'
complete -c spark-space -n '__spark_space_in post' -l wait -d 'with --card: connect first, post, then print the card\'s first submission'
complete -c spark-space -n '__spark_space_in post' -l within -x -d 'give up after DURATION (90s, 30m, 2h): exit 8, nothing printed'
complete -c spark-space -n '__spark_space_argument 0 post' -a '(__spark_space_room_titles)'

# spark-space messages
complete -c spark-space -n '__spark_space_needs_command messages' -a get -d 'one message, as a normalized event unless --raw'
complete -c spark-space -n '__spark_space_needs_command messages' -a edit -d 'replace a message\'s text or markdown; prints the edited message'
complete -c spark-space -n '__spark_space_needs_command messages' -a delete -d 'delete messages; asks on a terminal, needs --yes otherwise'

# spark-space messages get
complete -c spark-space -n '__spark_space_in messages get' -l raw -d 'print the API object untouched'

# spark-space messages edit
complete -c spark-space -n '__spark_space_in messages edit' -l text -x -d 'the new plain text (- reads stdin)'
complete -c spark-space -n '__spark_space_in messages edit' -l markdown -x -d 'the new markdown (- reads stdin)'

# spark-space messages delete
complete -c spark-space -n '__spark_space_in messages delete' -s y -l yes -d 'do not ask for confirmation'

# spark-space walk-messages
complete -c spark-space -n '__spark_space_in walk-messages' -l limit -x -d 'at most N messages (default 0 = all)'
complete -c spark-space -n '__spark_space_in walk-messages' -l since -x -d 'stop at messages older than TIME'
complete -c spark-space -n '__spark_space_in walk-messages' -l before -x -d 'start before this time or message'
complete -c spark-space -n '__spark_space_in walk-messages' -l mentions-me -d 'only messages that mention the caller (mentionedPeople=me)'
complete -c spark-space -n '__spark_space_in walk-messages' -l thread -x -d 'only the replies to this message (parentId)'
complete -c spark-space -n '__spark_space_in walk-messages' -l person -x -d 'the direct (1:1) messages with this person'
complete -c spark-space -n '__spark_space_in walk-messages' -l parallel -x -d 'read N time windows of the history at once (1-16, default 4; 1 = page after page)'
complete -c spark-space -n '__spark_space_in walk-messages' -l raw -d 'print the API objects untouched'
complete -c spark-space -n '__spark_space_in walk-messages' -l names -d 'resolve attachment names (one HEAD per message with files)'
complete -c spark-space -n '__spark_space_in walk-messages' -l download -x -a '(__fish_complete_directories (commandline -ct))' -d 'save every attachment met into DIR (never overwrites; a re-run resumes)'
complete -c spark-space -n '__spark_space_argument 0 walk-messages' -a '(__spark_space_room_titles)'

# spark-space attachments
complete -c spark-space -n '__spark_space_needs_command attachments' -a name -d 'print an attachment\'s file name (HEAD, Content-Disposition)'
complete -c spark-space -n '__spark_space_needs_command attachments' -a download -d 'download attachments, streamed to disk'


# spark-space attachments download
complete -c spark-space -n '__spark_space_in attachments download' -s d -l dir -x -a '(__fish_complete_directories (commandline -ct))' -d 'directory to save into (default .)'
complete -c spark-space -n '__spark_space_in attachments download' -l force -d 'overwrite existing files'
complete -c spark-space -n '__spark_space_in attachments download' -l stdout -d 'write the contents to stdout, not to files'

# spark-space webhooks
complete -c spark-space -n '__spark_space_needs_command webhooks' -a list -d 'webhooks of the bot token and, when set, of the audit token'
complete -c spark-space -n '__spark_space_needs_command webhooks' -a register -d 'create P-memberships, P-messages (P-audit, P-cards), then drop the older P- ones'
complete -c spark-space -n '__spark_space_needs_command webhooks' -a deregister -d 'delete the webhooks named P-... of the bot and audit tokens'
complete -c spark-space -n '__spark_space_needs_command webhooks' -a create -d 'create any webhook (--as audit: with the audit token)'
complete -c spark-space -n '__spark_space_needs_command webhooks' -a get -d 'show one webhook (secret as *** plus last 4)'
complete -c spark-space -n '__spark_space_needs_command webhooks' -a update -d 'change a webhook\'s name, URL or secret, or re-activate it'
complete -c spark-space -n '__spark_space_needs_command webhooks' -a delete -d 'delete webhooks by id'


# spark-space webhooks register
complete -c spark-space -n '__spark_space_in webhooks register' -l secret -x -d 'sign deliveries with S (default server.secret)'
complete -c spark-space -n '__spark_space_in webhooks register' -l prefix -x -d 'webhook name prefix: P-memberships, P-messages, P-audit (default shellbot)'
complete -c spark-space -n '__spark_space_in webhooks register' -l cards -d 'also create P-cards (attachmentActions/created: card submissions)'

# spark-space webhooks deregister
complete -c spark-space -n '__spark_space_in webhooks deregister' -l prefix -x -d 'webhook name prefix: P-memberships, P-messages, P-audit (default shellbot)'
complete -c spark-space -n '__spark_space_in webhooks deregister' -l all -d 'delete every webhook of both tokens, whatever its name'
complete -c spark-space -n '__spark_space_in webhooks deregister' -s y -l yes -d 'do not ask for confirmation (with --all)'

# spark-space webhooks create
complete -c spark-space -n '__spark_space_in webhooks create' -l resource -x -a 'all attachmentActions dataSources memberships messages rooms meetings recordings convergedRecordings meetingParticipants meetingTranscripts telephony_calls telephony_conference telephony_mwi uc_counters serviceApp adminBatchJobs' -d 'the resource (messages, memberships, ...)'
complete -c spark-space -n '__spark_space_in webhooks create' -l event -x -a 'all created updated deleted started ended joined left migrated authorized deauthorized statusChanged' -d 'the event (created, deleted, all, ...)'
complete -c spark-space -n '__spark_space_in webhooks create' -l filter -x -d 'only events matching F (e.g. roomId=...)'
complete -c spark-space -n '__spark_space_in webhooks create' -l secret -x -d 'sign deliveries with S'


# spark-space webhooks update
complete -c spark-space -n '__spark_space_in webhooks update' -l name -x -d 'the new name'
complete -c spark-space -n '__spark_space_in webhooks update' -l url -x -d 'the new target URL'
complete -c spark-space -n '__spark_space_in webhooks update' -l secret -x -d 'the new secret'
complete -c spark-space -n '__spark_space_in webhooks update' -l filter -x -d 'refused: Webex cannot change a filter'
complete -c spark-space -n '__spark_space_in webhooks update' -l status -x -a 'active inactive' -d 'active (re-activate; Webex cannot deactivate a webhook)'

# spark-space webhooks delete
complete -c spark-space -n '__spark_space_in webhooks delete' -s y -l yes -d 'do not ask for confirmation'

# spark-space listen
complete -c spark-space -n '__spark_space_in listen' -l binding -x -d 'address to listen on (default server.binding, 0.0.0.0)'
complete -c spark-space -n '__spark_space_in listen' -l port -x -d 'port to listen on (default server.port, 8080; 0 = any free)'
complete -c spark-space -n '__spark_space_in listen' -l hook -x -d 'path deliveries are posted to (default server.hook, /hook)'
complete -c spark-space -n '__spark_space_in listen' -l secret -x -d 'require deliveries signed with S (default server.secret)'
complete -c spark-space -n '__spark_space_in listen' -l register -x -d 'register a set of this run\'s own for URL on start (listen-HOST-PID), delete it on exit'
complete -c spark-space -n '__spark_space_in listen' -l websocket -d 'receive events over Webex\'s websocket: no public URL needed'
complete -c spark-space -n '__spark_space_in listen' -l type -x -a 'message edit delete card join leave moderator' -d 'only events of this type (repeatable)'
complete -c spark-space -n '__spark_space_in listen' -l count -x -d 'exit 0 after N events'
complete -c spark-space -n '__spark_space_in listen' -l include-self -d 'also print this identity\'s own messages'
complete -c spark-space -n '__spark_space_in listen' -l prune-devices -d 'first delete this identity\'s devices named spark-space*'

# spark-space wait
complete -c spark-space -n '__spark_space_in wait' -l card -x -d 'wait for the first submission of this message\'s card'
complete -c spark-space -n '__spark_space_in wait' -l reply-to -x -d 'wait for the first reply in this message\'s thread'
complete -c spark-space -n '__spark_space_in wait' -l from -x -d 'only from this person (repeatable)'
complete -c spark-space -n '__spark_space_in wait' -l match -x -d 'only a reply whose text matches REGEX'
complete -c spark-space -n '__spark_space_in wait' -l within -x -d 'give up after DURATION (90s, 30m, 2h): exit 8, nothing printed'

# spark-space pull
complete -c spark-space -n '__spark_space_in pull' -l interval -x -d 'seconds between polls (default 10)'
complete -c spark-space -n '__spark_space_in pull' -l once -d 'poll once and exit'
complete -c spark-space -n '__spark_space_in pull' -l state -r -F -d 'keep the last seen message id in FILE between runs'
complete -c spark-space -n '__spark_space_argument 0 pull' -a '(__spark_space_room_titles)'

# spark-space archive
complete -c spark-space -n '__spark_space_in archive' -l all -d 'every room the token can see (of --type, default group)'
complete -c spark-space -n '__spark_space_in archive' -l team -x -d 'the rooms of this team (name or id)'
complete -c spark-space -n '__spark_space_in archive' -l type -x -a 'group direct all' -d 'group (default), direct or all'
complete -c spark-space -n '__spark_space_in archive' -l since -x -d 'on a room\'s first run, only messages from TIME on (RFC 3339 or an age: 30d)'
complete -c spark-space -n '__spark_space_in archive' -l attachments -d 'save the messages\' files into each room\'s files/ (never overwrites; a re-run resumes)'
complete -c spark-space -n '__spark_space_in archive' -l html -d 'write static pages: an index.html per room and one listing the rooms (no script, no remote resource)'
complete -c spark-space -n '__spark_space_in archive' -l parallel -x -d 'rooms archived at once (1-16, default 4)'
complete -c spark-space -n '__spark_space_argument 1+ archive' -a '(__spark_space_room_titles)'

# spark-space auth
complete -c spark-space -n '__spark_space_needs_command auth' -a login -d 'sign in with the device grant: a code to enter on any device'
complete -c spark-space -n '__spark_space_needs_command auth' -a status -d 'each token in use: who, where it comes from, expiry, scopes (exit 3 when one fails)'
complete -c spark-space -n '__spark_space_needs_command auth' -a token -d 'print the token in use, refreshed if due (the sign-in\'s by default when there is one)'
complete -c spark-space -n '__spark_space_needs_command auth' -a refresh -d 'refresh the stored sign-in now'
complete -c spark-space -n '__spark_space_needs_command auth' -a logout -d 'delete the stored sign-in of the profile'

# spark-space auth login
complete -c spark-space -n '__spark_space_in auth login' -l client-id -x -d 'the integration\'s client id (default oauth.client_id, env SPARK_OAUTH_CLIENT_ID)'
complete -c spark-space -n '__spark_space_in auth login' -l client-secret-file -r -F -d 'read the integration\'s client secret from FILE, or - for stdin (default oauth.client_secret)'
complete -c spark-space -n '__spark_space_in auth login' -l scope -x -d 'a scope to ask for (repeatable; default spark:all)'





# spark-space api
complete -c spark-space -n '__spark_space_in api' -s X -l method -x -d 'GET (default), POST, PUT, PATCH, DELETE or HEAD'
complete -c spark-space -n '__spark_space_in api' -s f -l field -x -d 'a string field of the body (the query for GET)'
complete -c spark-space -n '__spark_space_in api' -s F -l raw-field -x -d 'a typed field: true, false, null, a number or JSON, else a string'
complete -c spark-space -n '__spark_space_in api' -l input -r -F -d 'send the JSON body in FILE, or - for stdin'
complete -c spark-space -n '__spark_space_in api' -l paginate -d 'follow Link rel=next and print every item'


# spark-space help
complete -c spark-space -n '__spark_space_in help' -l man -d 'print the manual page (roff) instead; read it with: spark-space help --man | man -l -'
complete -c spark-space -n '__spark_space_argument 0+ help' -a '(__spark_space_commands)'

# spark-space completions
complete -c spark-space -n '__spark_space_argument 0 completions' -a 'bash zsh fish'

# Global options.
complete -c spark-space -s c -l config -r -F -d 'settings file (YAML or JSON)'
complete -c spark-space -l profile -x -a '(__spark_space_profiles)' -d 'use the settings file\'s profiles.NAME and its own sign-in (env SPARK_SPACE_PROFILE)'
complete -c spark-space -l token -x -d 'bot token (prefer --token-file: argv shows in ps)'
complete -c spark-space -l token-file -r -F -d 'read the bot token from FILE, or - for stdin'
complete -c spark-space -l audit-token -x -d 'audit token (a person\'s token)'
complete -c spark-space -l audit-token-file -r -F -d 'read the audit token from FILE, or - for stdin'
complete -c spark-space -l api-url -x -d 'API base (default https://webexapis.com/v1; env SPARK_API_URL)'
complete -c spark-space -l as -x -a 'bot audit' -d 'which token the command uses: bot or audit'
complete -c spark-space -l room -x -a '(__spark_space_room_titles)' -d 'the room for commands that take one'
complete -c spark-space -s o -l output -x -a 'table wide tsv json ndjson yaml' -d 'table, wide (a table never cut), tsv, json or ndjson (yaml: provision export only)'
complete -c spark-space -l fields -x -d 'the columns or keys to print, in that order (a,b,c)'
complete -c spark-space -l json -d 'same as -o json'
complete -c spark-space -l dry-run -d 'for commands that write: print each write (method, path, body) instead of sending it'
complete -c spark-space -s q -l quiet -d 'print less on stderr'
complete -c spark-space -s v -l verbose -d 'log each HTTP call on stderr (method, path, status, ms)'
complete -c spark-space -l timeout -x -d 'connect timeout and longest stall (default 60)'
complete -c spark-space -l max-wait -x -d 'total time to wait on 429 Retry-After (default 300)'
complete -c spark-space -l cacert -r -F -d 'an extra CA certificate bundle (also env SSL_CERT_FILE)'
complete -c spark-space -s h -l help -d 'show help'
complete -c spark-space -l version -d 'print the version'
