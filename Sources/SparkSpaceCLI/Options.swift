import SparkSpace

/// Every option of the command table, by name: the table lists them (`.limit.with(help:)` where a
/// command describes one its own way) and the commands read them (`inv.int(.limit)`), so a
/// misspelt option is a compile error, not a silent nil. Values are read by the long name.
extension OptionSpec {
    static let config = OptionSpec(
        "config", short: "c", value: "FILE", help: "settings file (YAML or JSON)", setting: true, kind: .path)
    static let token = OptionSpec(
        "token", value: "TOKEN", help: "bot token (prefer --token-file: argv shows in ps)", setting: true)
    static let tokenFile = OptionSpec(
        "token-file", value: "FILE", help: "read the bot token from FILE, or - for stdin", setting: true, kind: .path)
    static let auditToken = OptionSpec(
        "audit-token", value: "TOKEN", help: "audit token (a person's token)", setting: true)
    static let auditTokenFile = OptionSpec(
        "audit-token-file", value: "FILE", help: "read the audit token from FILE, or - for stdin",
        setting: true, kind: .path)
    static let apiUrl = OptionSpec(
        "api-url", value: "URL", help: "API base (default https://webexapis.com/v1; env SPARK_API_URL)",
        setting: true)
    static let role = OptionSpec(
        "as", value: "ROLE", help: "which token the command uses: bot or audit", setting: true,
        kind: .choice(TokenRole.allCases.map(\.rawValue)))
    static let room = OptionSpec("room", value: "ROOM", help: "the room for commands that take one", completion: .room)
    static let output = OptionSpec(
        "output", short: "o", value: "FORMAT",
        help: "table, wide (a table never cut), tsv, json or ndjson (yaml: provision export only)",
        kind: .choice(OutputFormat.allCases.map(\.rawValue) + [manifestYAML]))
    /// `-o yaml`: the manifest that `provision export` prints, no other command's format.
    static let manifestYAML = "yaml"
    static let fields = OptionSpec("fields", value: "LIST", help: "the columns or keys to print, in that order (a,b,c)")
    static let `json` = OptionSpec("json", help: "same as -o json")
    static let dryRun = OptionSpec(
        "dry-run", help: "for commands that write: print each write (method, path, body) instead of sending it")
    static let quiet = OptionSpec("quiet", short: "q", help: "print less on stderr")
    static let verbose = OptionSpec(
        "verbose", short: "v", help: "log each HTTP call on stderr (method, path, status, ms)")
    static let timeout = seconds("timeout", "connect timeout and longest stall (default 60)", Limits.timeout)
    static let maxWait = seconds("max-wait", "total time to wait on 429 Retry-After (default 300)", Limits.maxWait)
    static let cacert = OptionSpec(
        "cacert", value: "FILE", help: "an extra CA certificate bundle (also env SSL_CERT_FILE)",
        kind: .path)
    static let `help` = OptionSpec("help", short: "h", help: "show help")
    static let version = OptionSpec("version", help: "print the version")
    static let limit = limit(of: "messages")
    /// `--limit N` of a listing of `noun`, that lists `fallback` without it (0: all).
    static func limit(of noun: String, default fallback: Int = 0) -> OptionSpec {
        let given = fallback == 0 ? "0 = all" : "\(fallback), 0 = all"
        return OptionSpec("limit", value: "N", help: "at most N \(noun) (default \(given))", kind: .int(0...Int.max))
    }
    static let since = OptionSpec("since", value: "TIME", help: "stop at messages older than TIME")
    static let before = OptionSpec("before", value: "TIME|MSGID", help: "start before this time or message")
    static let mentionsMe = OptionSpec(
        "mentions-me", help: "only messages that mention the caller (mentionedPeople=me)")
    static let thread = OptionSpec("thread", value: "MSGID", help: "only the replies to this message (parentId)")
    static let person = OptionSpec("person", value: "EMAIL", help: "the direct (1:1) messages with this person")
    static let parallel = OptionSpec(
        "parallel", value: "N",
        help: "read N time windows of the history at once (1-16, default 4; 1 = page after page)",
        kind: .int(1...Space.maxParallel))
    static let raw = OptionSpec("raw", help: "print the API objects untouched")
    static let names = OptionSpec("names", help: "resolve attachment names (one HEAD per message with files)")
    static let download = OptionSpec(
        "download", value: "DIR", help: "save every attachment met into DIR (never overwrites; a re-run resumes)",
        completion: .directory, kind: .path)
    static let roomType = choice("type", "TYPE", "group (default), direct or all", RoomType.allCases.map(\.rawValue))
    static let team = OptionSpec("team", value: "TEAM", help: "only the rooms of this team (name or id)")
    static let participant = OptionSpec(
        "participant", value: "EMAIL", help: "add this person (repeatable)", repeatable: true)
    static let ifMissing = OptionSpec(
        "if-missing", help: "print the existing room of that title instead of creating one")
    static let title = OptionSpec("title", value: "T", help: "the new title")
    static let description = OptionSpec("description", value: "D", help: "the new description")
    static let lock = OptionSpec("lock", help: "lock (moderate) the room")
    static let unlock = OptionSpec("unlock", help: "unlock the room")
    static let announcementOnly = OptionSpec("announcement-only", help: "only moderators may post")
    static let noAnnouncementOnly = OptionSpec("no-announcement-only", help: "everyone may post")
    static let interval = seconds("interval", "seconds between polls (default 10)", Limits.interval, value: "S")
    static let once = OptionSpec("once", help: "poll once and exit")
    static let state = OptionSpec(
        "state", value: "FILE", help: "keep the last seen message id in FILE between runs", kind: .path)
    static let dir = OptionSpec(
        "dir", short: "d", value: "DIR", help: "directory to save into (default .)", completion: .directory,
        kind: .path)
    static let force = OptionSpec("force", help: "overwrite existing files")
    static let stdout = OptionSpec("stdout", help: "write the contents to stdout, not to files")
    static let moderator = OptionSpec("moderator", help: "make them team moderators")
    static let text = OptionSpec("text", value: "TEXT", help: "plain text (- reads stdin)")
    static let markdown = OptionSpec("markdown", value: "MARKDOWN", help: "markdown (- reads stdin)")
    static let file = OptionSpec(
        "file", value: "PATH|URL", help: "a local file to upload, or a URL", kind: .path)
    static let replyTo = OptionSpec("reply-to", value: "MSGID", help: "reply in the thread of this message (parentId)")
    static let mention = OptionSpec(
        "mention", value: "EMAIL", help: "mention this person at the start of the markdown", repeatable: true)
    static let card = OptionSpec(
        "card", value: "FILE", help: "attach an Adaptive Card (JSON; - reads stdin); needs --text or --markdown",
        kind: .path)
    static let resource = choice(
        "resource", "R", "the resource (messages, memberships, ...)", WebhookVocabulary.resources)
    static let event = choice("event", "E", "the event (created, deleted, all, ...)", WebhookVocabulary.events)
    static let filter = OptionSpec("filter", value: "F", help: "only events matching F (e.g. roomId=...)")
    static let secret = OptionSpec("secret", value: "S", help: "sign deliveries with S")
    static let name = OptionSpec("name", value: "N", help: "the new name")
    static let url = OptionSpec("url", value: "U", help: "the new target URL")
    static let status = choice(
        "status", "STATUS", "active (re-activate; Webex cannot deactivate a webhook)", WebhookVocabulary.statuses)
    static let manifestFile = OptionSpec(
        "file", short: "f", value: "FILE", help: "the spaces manifest (YAML or JSON)", kind: .path)
    static let check = OptionSpec("check", help: "print the plan, write nothing, exit 7 when anything would change")
    static let prune = OptionSpec("prune", help: "also remove people and moderator flags the manifest does not list")
    static let binding = OptionSpec(
        "binding", value: "ADDR", help: "address to listen on (default server.binding, 0.0.0.0)")
    static let port = OptionSpec(
        "port", value: "N", help: "port to listen on (default server.port, 8080; 0 = any free)",
        kind: .int(0...65535, described: "a port number (0-65535)"))
    static let hook = OptionSpec(
        "hook", value: "PATH", help: "path deliveries are posted to (default server.hook, /hook)")
    static let register = OptionSpec(
        "register", value: "URL", help: "register a set of this run's own for URL on start (listen-HOST-PID), delete it on exit")
    static let method = OptionSpec(
        "method", short: "X", value: "METHOD", help: "GET (default), POST, PUT, PATCH, DELETE or HEAD")
    // The names of `gh api`: -f/--raw-field a string, -F/--field typed.
    static let rawField = OptionSpec(
        "raw-field", short: "f", value: "KEY=VALUE", help: "a string field of the body (the query for GET)",
        repeatable: true)
    static let field = OptionSpec(
        "field", short: "F", value: "KEY=VALUE",
        help: "a typed field: true, false, null, a number or JSON, else a string", repeatable: true)
    static let input = OptionSpec(
        "input", value: "FILE", help: "send the JSON body in FILE, or - for stdin", kind: .path)
    static let paginate = OptionSpec("paginate", help: "follow Link rel=next and print every item")
    static let includeBot = OptionSpec("include-bot", help: "list the bot too")
    static let noModerator = OptionSpec("no-moderator", help: "make them plain members")
    static let email = OptionSpec("email", value: "E", help: "the person with this e-mail address")
    static let namePrefix = OptionSpec("name", value: "PREFIX", help: "people whose display name starts with PREFIX")
    static let sources = OptionSpec("sources", help: "add where each value came from: flag, file, env or default")
    static let prefix = OptionSpec(
        "prefix", value: "P", help: "webhook name prefix: P-memberships, P-messages, P-audit (default shellbot)")
    static let cards = OptionSpec("cards", help: "also create P-cards (attachmentActions/created: card submissions)")
    static let all = OptionSpec("all", help: "delete every webhook of both tokens, whatever its name")
    static let man = OptionSpec(
        "man", help: "print the manual page (roff) instead; read it with: spark-space help --man | man -l -")
    static let profile = OptionSpec(
        "profile", value: "NAME", help: "use the settings file's profiles.NAME and its own sign-in "
            + "(env SPARK_SPACE_PROFILE)", completion: .profile, setting: true)
    static let clientId = OptionSpec(
        "client-id", value: "ID", help: "the integration's client id (default oauth.client_id, env SPARK_OAUTH_CLIENT_ID)")
    static let clientSecretFile = OptionSpec(
        "client-secret-file", value: "FILE",
        help: "read the integration's client secret from FILE, or - for stdin (default oauth.client_secret)",
        kind: .path)
    static let scope = OptionSpec(
        "scope", value: "S", help: "a scope to ask for (repeatable; default spark:all)", repeatable: true)
    static let yes = OptionSpec("yes", short: "y", help: "do not ask for confirmation")

    /// A number of seconds within `range` (fractions allowed).
    static func seconds(
        _ long: String, _ help: String, _ range: ClosedRange<Double>, value: String = "SECONDS"
    ) -> OptionSpec {
        OptionSpec(long, value: value, help: help, kind: .duration(range))
    }

    /// One of `values`, which it also completes as.
    static func choice(_ long: String, _ value: String, _ help: String, _ values: [String]) -> OptionSpec {
        OptionSpec(long, value: value, help: help, kind: .choice(values))
    }
}

/// Ranges of the number options (docs/decisions.md): a day at most for one stall, a week
/// of waiting; `--timeout 0` would mean curl's own 300 s, so it is refused, as `--interval 0`.
enum Limits {
    static let timeout: ClosedRange<Double> = 0.001...86_400
    static let maxWait: ClosedRange<Double> = 0...604_800
    static let interval: ClosedRange<Double> = 0.001...86_400  // 0 would poll without a pause
}
