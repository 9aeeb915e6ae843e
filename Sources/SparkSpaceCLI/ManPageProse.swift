/// The hand-written sections of spark-space(1), in roff (`\-` for an option's
/// dash, `\e` for a backslash; examples are plain text through `roffLiteral`).
/// Generated sections are in ManPage.swift.

/// The date on the manual page; a fixed one keeps the checked-in page reproducible.
/// Change it when the prose changes.
let manPageDate = "2026-11-30"

let manDescription = lines(#"""
.SH DESCRIPTION
.B spark\-space
administers Cisco Spark / Webex Teams spaces from a shell: rooms, teams,
participants, posting messages and files, walking message history,
attachments, webhooks, and the normalized events a bot receives.
It is the command\-line face of shellbot's
.B SparkSpace
class.
.PP
Data goes to standard output, progress, warnings and errors to standard
error, so a command can be piped into
.BR jq (1)
or a spreadsheet.
Global options may appear before or after the command;
.B \-\-
ends the options;
.BI \-\-opt " value"
and
.BI \-\-opt= value
both work.
"""#)

let manGlobalOptionsIntro = lines(#"""
Every command accepts these.
Prefer a token file, the settings file or the environment to
.BR \-\-token :
the command line of a running process is visible in
.BR ps (1).
"""#)

let manCommandsIntro = lines(#"""
.BI "spark\-space help " COMMAND
and
.BI "spark\-space " COMMAND " \-\-help"
print the same text as this section, one command at a time.
"""#)

/// Everything after COMMANDS.
let manReference = manArguments + manOutput + manSettings + manEnvironment + manFiles
    + manExitStatus + manExamples + manSeeAlso

private let manArguments = lines(#"""
.SH ROOM AND TIME ARGUMENTS
A
.I ROOM
is a room id or the exact title of a group room.
A title that matches several rooms fails with exit status 5 and lists their ids.
An omitted
.I ROOM
means
.BR \-\-room ,
else the setting
.BR space.room .
For
.B participants add
and
.BR "participants remove" ,
the first argument is an e\-mail address, not a room, when it looks like one
.RI ( x@y ).
.PP
A
.I TIME
.RB ( \-\-since ,
.BR \-\-before )
is an RFC 3339 time such as
.B 2026\-11\-25T10:00:00Z
or an age such as
.BR 30m ,
.BR 2h ,
.BR 7d .
"""#)

private let manOutput = lines(#"""
.SH OUTPUT
.TP
.B table
Aligned columns under a header; the default when standard output is a terminal.
It fits the terminal width (from
.BR COLUMNS ,
else the terminal); a table that is not written to a terminal is cut only when
.B COLUMNS
is set.
Ids are cut first and keep their end (every Webex id starts alike), then the
widest text (titles, names, message text); times show as ages
(45s ago, 3h ago, 12d ago) and a room's team by name.
The header is bold on a terminal unless
.B NO_COLOR
is set.
.TP
.B wide
A table that never cuts a column.
.TP
.B tsv
Tab\-separated columns without a header, never cut; the default when standard
output is not a terminal.
Tabs and line breaks inside a value become spaces.
.TP
.B json
One JSON document: an array for lists, an object for one item; UTF\-8, keys
sorted.
.TP
.B ndjson
One compact JSON object a line, keys sorted, streamed in whole lines, flushed
as each page, row or event is done (before any wait on the network):
.B walk\-messages
starts printing before the last page arrives.
.PP
The columns of
.B table
and
.BR tsv :
.TP
person (whoami)
token (bot or audit), id, email, displayName, type
.TP
room
id, title, type, teamId, lastActivity
.TP
team
id, name, created
.TP
participant
personEmail, personDisplayName, isModerator, id
.TP
message, event
created, personEmail, text (first line), id
.TP
webhook
owner (bot or audit), id, name, resource, event, targetUrl, status
.TP
attachment
path (or name), size
.PP
.B \-\-fields a,b,c
picks the columns of
.BR table ,
.B wide
and
.B tsv
and the keys of
.B json
and
.BR ndjson ,
in that order: any field of the object; an unknown field is exit 2 listing
the fields there are.
.PP
On a terminal, standard error says when a list is empty or cut by
.BR \-\-limit ,
and long work (walks, uploads, downloads, bulk changes) shows one progress
line, redrawn and cleared at the end. Every wait on the API (429, 423) and
every retry is said on standard error unless
.BR \-q .
.PP
JSON output holds every field the API returned.
Events (from
.BR walk\-messages ,
.B listen
and
.BR pull )
add the normalized fields of shellbot:
.BR type ,
.BR content ,
.BR from_id ,
.BR from_label ,
.BR is_direct ,
.BR mentioned_ids ,
.BR channel_id ,
.BR stamp ,
.BR hook ,
and for files
.B url
and
.BR attachment ;
joins and leaves carry
.BR actor_id ,
.B actor_address
and
.BR actor_label .
A closed standard output (as in
.BR "| head" )
ends a command quietly with status 0.
"""#)

private let manSettings = lines(#"""
.SH SETTINGS
The settings file is YAML or JSON.
Keys may be nested
.RB ( "space: {room: ...}" )
or dotted
.RB ( "space.room: ..." );
the older prefix
.B spark
reads as
.BR space .
A value such as
.B $ROOM_TITLE
or
.B ${ROOM_TITLE}
reads that environment variable; an unset variable is an error naming it.
Precedence: flag, then settings file, then environment fallback, then default.
An unknown key, a key given twice, both
.B space
and
.BR spark ,
or a value of the wrong shape is an error (exit 2) naming the file and the
closest known key.
Files over 1 MB, YAML aliases, keys that are not plain text and nesting
deeper than 64 levels are refused.
.B settings show \-\-sources
says where each value came from.
.TP
.B space.room
Default room title; default
.BR $CHAT_ROOM_TITLE .
A command that needs a room and has none (no argument,
.BR \-\-room ,
.B space.room
or
.BR $CHAT_ROOM_TITLE )
is a usage error (exit 2) before any request; only
.B provision
falls back to the seed's title
.BR "Collaboration space" ,
and says so.
.TP
.B space.participants
List of e\-mail addresses (a single string is a list of one); default
.B $CHANNEL_DEFAULT_PARTICIPANTS
(comma\-separated).
.TP
.B space.team
Team name of the room.
.TP
.B space.token
Bot token; default
.BR $CISCO_SPARK_BOT_TOKEN .
.TP
.B space.audit_token
Audit token, a person's token, for the audit webhook and for reading history;
default
.BR $CISCO_SPARK_AUDIT_TOKEN .
.TP
.B api_url
API base; default
.BR $SPARK_API_URL ,
else
.BR https://webexapis.com/v1 .
.TP
.BR server.url ", " server.hook ", " server.binding ", " server.port
Webhook defaults:
.BR $SERVER_URL ,
.BR /hook ,
.BR 0.0.0.0 ,
.B 8080
(a port 0\-65535; 0 picks a free one).
.TP
.B server.secret
Webhook secret; default
.BR $SPARK_WEBHOOK_SECRET .
.TP
.B network.retry_delays
Seconds to wait before each retry (at most 20 delays of 0 to 3600 s); default
.BR "[0.1, 1, 5]" .
.TP
.B network.u2c_url
Webex's service catalog, where
.B listen \-\-websocket
finds the device service; default
.BR $SPARK_U2C_URL ,
else
.BR https://u2c.wbx2.com/u2c/api/v1 .
.PP
.B settings show
prints the resolved settings, tokens and secret as
.B ***
plus their last 4 characters.
"""#)

private let manEnvironment = lines(#"""
.SH ENVIRONMENT
.TP
.B SPARK_SPACE_CONFIG
Settings file when
.B \-\-config
is not given.
.TP
.B XDG_CONFIG_HOME
Directory of the default settings file (default
.BR ~/.config ).
.TP
.B SPARK_API_URL
API base.
.TP
.BR CISCO_SPARK_BOT_TOKEN ", " CISCO_SPARK_AUDIT_TOKEN
Bot and audit tokens when the settings have none.
.TP
.BR CHAT_ROOM_TITLE ", " CHANNEL_DEFAULT_PARTICIPANTS
Default room title and participants.
.TP
.BR SERVER_URL ", " SPARK_WEBHOOK_SECRET
Webhook target and secret.
.TP
.BR SSL_CERT_FILE ", " CURL_CA_BUNDLE
An extra CA certificate bundle when
.B \-\-cacert
is not given.
.TP
.B NO_COLOR
When set and not empty, no colour.
.TP
.B COLUMNS
Table width when the terminal does not tell it.
.TP
.BR HTTPS_PROXY ", " NO_PROXY
Proxy settings, as for
.BR curl (1).
"""#)

private let manFiles = lines(#"""
.SH FILES
.TP
.I $XDG_CONFIG_HOME/spark\-space/settings.yaml
The settings file read when neither
.B \-\-config
nor
.B SPARK_SPACE_CONFIG
names one (default
.IR ~/.config/spark\-space/settings.yaml ).
.TP
.I $PREFIX/share/bash\-completion/completions/spark\-space
.TQ
.I $PREFIX/share/zsh/site\-functions/_spark\-space
.TQ
.I $PREFIX/share/fish/vendor_completions.d/spark\-space.fish
Shell completions installed by
.BR "make install" ,
the output of
.BR "spark\-space completions bash" | zsh | fish .
"""#)

/// Generated from `ExitCode.table`, the table the exit codes come from.
private let manExitStatus = [".SH EXIT STATUS"]
    + ExitCode.table.flatMap { [".TP", ".B \($0.code)", roffFlagsBold($0.meaning)] } + lines(#"""
.PP
An error is one line,
.BR "spark\-space: error: " ...,
with the API's tracking id when there is one.
Tokens and secrets never appear in any output.
"""#)

private let manExamples = lines(#"""
.SH EXAMPLES
Who am I, and which settings are in force:
"""#) + example([
    "spark-space whoami",
    "spark-space settings show -c settings.yaml",
]) + paragraph("Export a room's whole history as JSON lines, newest first:") + example([
    "spark-space walk-messages 'Ops room' -o ndjson > ops.ndjson",
    "jq -r '[.created, .personEmail, .text] | @tsv' ops.ndjson",
]) + paragraph("Count messages per person:") + example([
    "spark-space walk-messages 'Ops room' -o ndjson |",
    "  jq -r .personEmail | sort | uniq -c | sort -rn",
]) + paragraph("List the files shared in a room, one line per file, or download them:") + example([
    "spark-space walk-messages 'Ops room' -o ndjson |",
    "  jq -r 'select(.files) | .files[] as $url | [.created, .personEmail, $url] | @tsv'",
    "spark-space walk-messages 'Ops room' --download ./files -o ndjson >/dev/null",
]) + paragraph(#"""
Provision the room of a CI pipeline from the settings (idempotent), then post
to it; the token comes from the CI secret
.BR CISCO_SPARK_BOT_TOKEN :
"""#) + example([
    "cat > settings.yaml <<'EOF'",
    "space:",
    "  room: $CHAT_ROOM_TITLE",
    "  team: Platform",
    "  participants: [alice@example.com, bob@example.com]",
    "EOF",
    "export CHAT_ROOM_TITLE=\"Release $CI_COMMIT_TAG\"",
    "spark-space -c settings.yaml provision --dry-run",
    "room=$(spark-space -c settings.yaml provision -o json | jq -r .id)",
    "spark-space post \"$room\" --markdown \"Pipeline **$CI_PIPELINE_ID** passed\"",
]) + paragraph("Receive events on a webhook and keep the messages:") + example([
    "spark-space listen --register https://bot.example.com/hook |",
    "  jq -c 'select(.type == \"message\")'",
]) + paragraph(#"""
Ask for an approval with an Adaptive Card from CI and wait for the answer
(webhooks registered with
.BR \-\-cards ):
"""#) + example([
    "id=$(spark-space post 'Ops room' --card approve.json --text 'Approve deploy?' -o json | jq -r .id)",
    "answer=$(timeout 1h spark-space listen |",
    "  jq -rn --arg id \"$id\" 'first(inputs | select(.type == \"card\" and .message_id == $id)) | .inputs.answer')",
    "spark-space post --reply-to \"$id\" --text \"answer: $answer\"",
])

private let manSeeAlso = lines(#"""
.SH SEE ALSO
.BR jq (1),
.BR curl (1)
.PP
The Webex Messaging API: https://developer.webex.com/docs/api/getting\-started
"""#)

private func lines(_ text: String) -> [String] {
    text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
}

/// A paragraph after an example (never right after `.SH`: mandoc warns of an empty one).
private func paragraph(_ text: String) -> [String] {
    [".PP"] + lines(text)
}

/// A `.PP` / `.EX` block of literal lines.
private func example(_ text: [String]) -> [String] {
    [".PP", ".EX"] + text.map(roffLiteral) + [".EE"]
}
