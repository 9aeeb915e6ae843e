#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The desired state of several spaces (SPEC "The spaces manifest"). What it does not name is left alone.
public struct SpacesManifest: Sendable, Equatable {
    /// A team of the manifest.
    public struct Team: Sendable, Equatable {
        /// The team's name (how it is matched with an existing team).
        public var name: String
        /// The team's description.
        public var description: String?
        /// nil when the manifest does not list them: the team's people are then left alone.
        public var members: [String]?
        /// The moderators among the members (e-mails).
        public var moderators: [String]?

        /// A team, its members and moderators.
        public init(name: String, description: String? = nil, members: [String]? = nil, moderators: [String]? = nil) {
            self.name = name
            self.description = description
            self.members = members
            self.moderators = moderators
        }
    }

    /// A room of the manifest.
    public struct Room: Sendable, Equatable {
        /// A pinned room: found by id, `title` renames it.
        public var id: String?
        /// The room's title (how it is matched, unless `id` pins it).
        public var title: String?
        /// A team of the manifest, or an existing one (name or id).
        public var team: String?
        /// The room's description.
        public var description: String?
        /// Whether the room is locked (moderated).
        public var locked: Bool?
        /// Whether only moderators may post.
        public var announcementOnly: Bool?
        /// nil when the manifest does not list them: the room's people are then left alone.
        public var participants: [String]?
        /// The moderators among the participants (e-mails).
        public var moderators: [String]?

        /// A room of the manifest, matched by `id` when given, else by title.
        public init(id: String? = nil, title: String? = nil, team: String? = nil, participants: [String]? = nil) {
            self.id = id
            self.title = title
            self.team = team
            self.participants = participants
        }

        /// How the room is named in plans and errors.
        public var label: String { title ?? id ?? "" }
    }

    /// The teams, created or changed before the rooms.
    public var teams: [Team]
    /// The rooms.
    public var rooms: [Room]

    /// A manifest of `teams` and `rooms`.
    public init(teams: [Team] = [], rooms: [Room] = []) {
        self.teams = teams
        self.rooms = rooms
    }
}

extension SpacesManifest {
    static let topKeys = ["teams", "rooms"]
    static let teamKeys = ["name", "description", "members", "moderators"]
    static let roomKeys = ["id", "title", "team", "description", "locked", "announcement_only", "participants", "moderators"]

    /// Reads and validates a manifest file (YAML or JSON, through the settings' document reader).
    /// Every problem is a usage error (exit 2) naming the file, a line when one is found, and what is wrong.
    public static func load(path: String) throws -> SpacesManifest {
        let bytes: [UInt8]
        let document: JSON
        do {
            // The settings' bounded reader: size, depth, no aliases, scalar keys only (issue #12).
            bytes = try SettingsFileReader.contents(path)
            let isJSON = path.lowercased().hasSuffix(".json")
            if isJSON { try SettingsFileReader.checkDuplicates(bytes, path: path) }
            document = isJSON ? try JSON.parse(bytes) : json(try SettingsFileReader.load(path: path))
        } catch SparkError.settings(let message) {
            throw SparkError.invalidInput(message.replacing("settings file", with: "manifest"))
        } catch let error as SparkError {
            throw error
        } catch {
            throw SparkError.invalidInput("manifest \(path) is not valid JSON: \(error)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var parser = ManifestParser(path: path, lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        return try parser.parse(document)
    }

    /// A YAML document as JSON: every scalar is text (YAML's `true` is read by `flag`).
    static func json(_ node: SettingsNode) -> JSON {
        switch node {
        case .null: return .null
        case .scalar(let text): return .string(text)
        case .list(let items): return .array(items.map(json))
        case .map(let entries):
            var object: [String: JSON] = [:]
            for entry in entries { object[entry.key] = json(entry.value) }
            return .object(object)
        }
    }
}

/// Turns the document into a manifest; knows the text only to point at a line.
///
/// The document reader gives values without positions, so a line is found by scanning the text for
/// the key or value in question (the first match, or the n-th for a duplicate).
struct ManifestParser {
    var path: String
    var lines: [String]

    func fail(_ what: String, near needle: String? = nil, occurrence: Int = 1) -> SparkError {
        let line = needle.flatMap { lineOf($0, occurrence: occurrence) }
        return SparkError.invalidInput("\(path)\(line.map { ":\($0)" } ?? ""): \(what)")
    }

    /// The 1-based line holding `needle` for the `occurrence`-th time.
    func lineOf(_ needle: String, occurrence: Int = 1) -> Int? {
        var seen = 0
        for (index, line) in lines.enumerated() where line.contains(needle) {
            seen += 1
            if seen == occurrence { return index + 1 }
        }
        return nil
    }

    /// The line of a key: `key:` in YAML or `"key"` in JSON.
    func lineOfKey(_ key: String) -> Int? {
        for (index, line) in lines.enumerated() {
            var text = Substring(line.trimmingSpaces())
            while text.hasPrefix("-") || text.hasPrefix("{") || text.hasPrefix(" ") { text = text.dropFirst() }
            if text.hasPrefix("\(key):") || text.hasPrefix("\"\(key)\"") || text.hasPrefix("'\(key)'")
                || line.contains(" \(key):") || line.contains("{\(key):") || line.contains("\"\(key)\":") {
                return index + 1
            }
        }
        return nil
    }

    func checkKeys(_ object: [String: JSON], known: [String], in what: String) throws {
        for key in object.keys.sorted() where !known.contains(key) {
            let line = lineOfKey(key)
            throw SparkError.invalidInput("\(path)\(line.map { ":\($0)" } ?? ""): unknown key '\(printable(key))' in \(what)"
                + suggestionText(closestKey(to: key, among: known).map { [$0] } ?? []))
        }
    }

    mutating func parse(_ document: JSON) throws -> SpacesManifest {
        if document.isNull { return SpacesManifest() }
        guard let top = document.object else { throw fail("the manifest must be a mapping with teams and rooms") }
        try checkKeys(top, known: SpacesManifest.topKeys, in: "the manifest")
        var manifest = SpacesManifest()
        for (index, item) in try list(top["teams"], key: "teams").enumerated() {
            manifest.teams.append(try team(item, index: index))
        }
        for (index, item) in try list(top["rooms"], key: "rooms").enumerated() {
            manifest.rooms.append(try room(item, index: index))
        }
        try checkDuplicates(manifest.teams.map(\.name), what: "team name")
        // A title that several rooms share is fine when each of them is pinned by id (as export writes them).
        let unpinnedTitles = Set(manifest.rooms.filter { $0.id == nil }.compactMap(\.title))
        try checkDuplicates(manifest.rooms.compactMap(\.title).filter(unpinnedTitles.contains), what: "room title")
        try checkDuplicates(manifest.rooms.compactMap(\.id), what: "room id")
        return manifest
    }

    func list(_ value: JSON?, key: String) throws -> [JSON] {
        guard let value, !value.isNull else { return [] }
        guard let items = value.array else { throw fail("\(key) must be a list", near: "\(key)") }
        return items
    }

    func team(_ item: JSON, index: Int) throws -> SpacesManifest.Team {
        guard let object = item.object else { throw fail("teams item \(index + 1) must be a mapping", near: "teams") }
        try checkKeys(object, known: SpacesManifest.teamKeys, in: "a team")
        guard let name = try text(object["name"], key: "name"), !name.isEmpty else {
            throw fail("teams item \(index + 1) has no name", near: "teams")
        }
        return SpacesManifest.Team(name: name, description: try text(object["description"], key: "description"),
                                   members: try emails(object["members"], key: "members"),
                                   moderators: try emails(object["moderators"], key: "moderators"))
    }

    func room(_ item: JSON, index: Int) throws -> SpacesManifest.Room {
        guard let object = item.object else { throw fail("rooms item \(index + 1) must be a mapping", near: "rooms") }
        try checkKeys(object, known: SpacesManifest.roomKeys, in: "a room")
        var room = SpacesManifest.Room(id: try text(object["id"], key: "id")?.trimmingSpaces(),
                                       title: try text(object["title"], key: "title"),
                                       team: try text(object["team"], key: "team"))
        if let id = room.id, !isWebexId(id) { throw fail("'\(printable(id))' is not a Webex room id", near: id) }
        guard !(room.title ?? room.id ?? "").isEmpty else {
            throw fail("rooms item \(index + 1) has neither title nor id", near: "rooms")
        }
        room.description = try text(object["description"], key: "description")
        room.locked = try flag(object["locked"], key: "locked")
        room.announcementOnly = try flag(object["announcement_only"], key: "announcement_only")
        if room.announcementOnly == true && room.locked != true {
            throw fail("announcement_only: true needs locked: true (Webex puts only a locked room in announcement mode)",
                       near: "announcement_only")
        }
        room.participants = try emails(object["participants"], key: "participants")
        room.moderators = try emails(object["moderators"], key: "moderators")
        return room
    }

    /// A text value, exactly as written (a title's leading and trailing spaces are its own: Webex
    /// keeps them, and `provision export` writes them); numbers read as their text (`title: 2027`).
    func text(_ value: JSON?, key: String) throws -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?: return String(d)
        default: throw fail("\(key) must be text", near: "\(key):")
        }
    }

    func flag(_ value: JSON?, key: String) throws -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case .string(let text)?:
            switch text.lowercased() {
            case "true", "yes", "on": return true
            case "false", "no", "off": return false
            default: break
            }
        default: break
        }
        throw fail("\(key) must be true or false", near: "\(key)")
    }

    /// A list of e-mails (one e-mail alone reads as a list of one), without duplicates.
    func emails(_ value: JSON?, key: String) throws -> [String]? {
        guard let value, !value.isNull else { return nil }
        let items = value.array ?? [value]
        var result: [String] = []
        var seen = Set<String>()
        for item in items {
            guard let email = item.string?.trimmingSpaces() else {
                throw fail("\(key) must be a list of e-mails", near: key)
            }
            guard looksLikeEmail(email) else { throw fail("\(key): '\(printable(email))' is not an e-mail", near: email) }
            if seen.insert(email.lowercased()).inserted { result.append(email) }
        }
        return result
    }

    func checkDuplicates(_ names: [String], what: String) throws {
        var seen: [String: Int] = [:]
        for name in names {
            seen[name, default: 0] += 1
            if seen[name] == 2 { throw fail("duplicate \(what) '\(printable(name))'", near: name, occurrence: 2) }
        }
    }
}
