import SparkSpace

/// The settings keys and environment variables, with what they mean and their defaults: the one
/// source of the man page's SETTINGS and ENVIRONMENT entries and of docs/guide.md's "Settings
/// reference" tables (as `ExitCode.table` is of EXIT STATUS). Text in backquotes is a name or a
/// value: bold in the man page, code in the guide.
enum SettingsReference {
    /// One row: the keys it is about (several for one line of the guide), what it is, its default.
    struct Setting {
        var keys: [String]
        var meaning: String
        var fallback: String
    }

    /// An environment variable or a group read together, and what it gives.
    struct Variable {
        var names: [String]
        var meaning: String
    }

    /// Every key of the settings file (`Settings.keys`), in the order of the reference.
    static let settings: [Setting] = [
        Setting(keys: ["space.room"], meaning: "Default room title. A command that needs a room and has none (no "
            + "argument, `--room`, `space.room` or `$CHAT_ROOM_TITLE`) is a usage error (exit 2) before any "
            + "request; only `provision` falls back to the seed's title `Collaboration space`, and says so.",
            fallback: "`$CHAT_ROOM_TITLE`"),
        Setting(keys: ["space.participants"], meaning: "E-mail addresses (a single string is a list of one).",
                fallback: "`$CHANNEL_DEFAULT_PARTICIPANTS`, comma-separated"),
        Setting(keys: ["space.team"], meaning: "Team name of the room.", fallback: "none"),
        Setting(keys: ["space.token"], meaning: "Bot token.", fallback: "`$CISCO_SPARK_BOT_TOKEN`"),
        Setting(keys: ["space.audit_token"],
                meaning: "Audit token, a person's token, for the audit webhook and for reading history.",
                fallback: "`$CISCO_SPARK_AUDIT_TOKEN`"),
        Setting(keys: ["api_url"], meaning: "API base (flag `--api-url`); also spelled `network.api_url`.",
                fallback: "`$SPARK_API_URL`, else `https://webexapis.com/v1`"),
        Setting(keys: ["oauth.client_id", "oauth.client_secret"],
                meaning: "The integration `auth login` signs in with.",
                fallback: "`$SPARK_OAUTH_CLIENT_ID`, `$SPARK_OAUTH_CLIENT_SECRET`"),
        Setting(keys: ["profiles.NAME.KEY"],
                meaning: "Any key above for the profile NAME (`--profile NAME`), laid over the top-level keys; "
                    + "the profile keeps its own sign-in.",
                fallback: "none"),
        Setting(keys: ["server.url"], meaning: "Public base URL of the webhook receiver.", fallback: "`$SERVER_URL`"),
        Setting(keys: ["server.hook", "server.binding", "server.port"],
                meaning: "Receiver path, address and port (a port 0-65535; 0 picks a free one).",
                fallback: "`/hook`, `0.0.0.0`, `8080`"),
        Setting(keys: ["server.secret"], meaning: "Webhook secret.", fallback: "`$SPARK_WEBHOOK_SECRET`"),
        Setting(keys: ["network.u2c_url"],
                meaning: "Webex's service catalog, where `listen --websocket` finds the device service.",
                fallback: "`$SPARK_U2C_URL`, else `https://u2c.wbx2.com/u2c/api/v1`"),
        Setting(keys: ["network.retry_delays"],
                meaning: "Seconds to wait before each retry (at most 20 delays of 0 to 3600 s).",
                fallback: "`[0.1, 1, 5]`"),
    ]

    /// Every environment variable the tool reads.
    static let environment: [Variable] = [
        Variable(names: ["SPARK_SPACE_CONFIG"], meaning: "Settings file when `--config` is not given."),
        Variable(names: ["XDG_CONFIG_HOME"], meaning: "Directory of the default settings file (default `~/.config`)."),
        Variable(names: ["SPARK_API_URL"], meaning: "API base."),
        Variable(names: ["SPARK_U2C_URL"], meaning: "Webex's service catalog (`listen --websocket`)."),
        Variable(names: ["SPARK_SPACE_PROFILE"], meaning: "The profile when `--profile` is not given."),
        Variable(names: ["SPARK_OAUTH_CLIENT_ID", "SPARK_OAUTH_CLIENT_SECRET"],
                 meaning: "The integration of `auth login` when the settings have none."),
        Variable(names: ["CISCO_SPARK_BOT_TOKEN", "CISCO_SPARK_AUDIT_TOKEN"],
                 meaning: "Bot and audit tokens when the settings have none."),
        Variable(names: ["CHAT_ROOM_TITLE", "CHANNEL_DEFAULT_PARTICIPANTS"],
                 meaning: "Default room title and participants."),
        Variable(names: ["SERVER_URL", "SPARK_WEBHOOK_SECRET"], meaning: "Webhook target and secret."),
        Variable(names: ["SSL_CERT_FILE", "CURL_CA_BUNDLE"],
                 meaning: "An extra CA certificate bundle when `--cacert` is not given."),
        Variable(names: ["NO_COLOR"], meaning: "When set and not empty, no colour."),
        Variable(names: ["COLUMNS"], meaning: "Table width when the terminal does not tell it."),
        Variable(names: ["HTTPS_PROXY", "NO_PROXY"], meaning: "Proxy settings, as for `curl`."),
    ]

    // MARK: The man page

    /// The `.TP` entries of SETTINGS.
    static var manSettings: [String] {
        settings.flatMap { [".TP", manNames($0.keys), roffMarked("\($0.meaning) Default: \($0.fallback).")] }
    }

    /// The `.TP` entries of ENVIRONMENT.
    static var manEnvironment: [String] {
        environment.flatMap { [".TP", manNames($0.names), roffMarked($0.meaning)] }
    }

    /// `.B key`, or `.BR a ", " b` for several.
    private static func manNames(_ names: [String]) -> String {
        names.count == 1 ? ".B " + roff(names[0]) : ".BR " + names.map(roff).joined(separator: " \", \" ")
    }

    /// `roff(text)` with each backquoted span in bold.
    static func roffMarked(_ text: String) -> String {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().map { index, part in
            var escaped = roff(String(part))
            // Only a line's start needs a leading `.` defused.
            if index > 0 && escaped.hasPrefix("\\&") { escaped.removeFirst(2) }
            return index % 2 == 1 ? "\\fB" + escaped + "\\fR" : escaped
        }.joined()
    }

    // MARK: The guide

    /// The guide's table of settings keys (markdown).
    static var markdownSettings: String {
        (["| key | meaning | default |", "|---|---|---|"] + settings.map { setting in
            "| " + setting.keys.map { "`\($0)`" }.joined(separator: ", ") + " | \(setting.meaning) | \(setting.fallback) |"
        }).joined(separator: "\n") + "\n"
    }

    /// The guide's table of environment variables (markdown).
    static var markdownEnvironment: String {
        (["| variable | meaning |", "|---|---|"] + environment.map { variable in
            "| " + variable.names.map { "`\($0)`" }.joined(separator: ", ") + " | \(variable.meaning) |"
        }).joined(separator: "\n") + "\n"
    }
}
