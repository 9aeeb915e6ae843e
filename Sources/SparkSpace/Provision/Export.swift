#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Which rooms `provision export` reads (SPEC `provision export`): the rooms named, the rooms of a
/// team, every group room; together their union.
public struct ExportSelection: Sendable, Equatable {
    /// Room ids or exact group-room titles.
    public var rooms: [String]
    /// A team id or exact name: its rooms, and the team even when it has none.
    public var team: String?
    /// Every group room the identity is in.
    public var all: Bool

    /// A selection of the rooms named in `rooms`, the rooms of `team` and, when `all`, every group room;
    /// the export takes their union. Nothing given selects nothing (`isEmpty`): the caller refuses that.
    public init(rooms: [String] = [], team: String? = nil, all: Bool = false) {
        self.rooms = rooms
        self.team = team
        self.all = all
    }

    /// True when no room, no team and not `all` was given.
    public var isEmpty: Bool { rooms.isEmpty && team == nil && !all }
}

/// What an export found: the manifest, and what it could not say (a team it cannot name).
public struct SpacesExport: Sendable {
    /// The manifest of the selected rooms and their teams; `provision -f` of it plans nothing.
    public var manifest: SpacesManifest
    /// What the manifest leaves out, one sentence each (a team the identity is not in, a team name
    /// several teams share); API text in them is not sanitized.
    public var warnings: [String]
}

extension Space {
    /// The manifest of existing rooms and their teams, with reads only: one listing of the group rooms,
    /// one of the teams and `people/me` (at once), then the memberships of every room and team, a few at once (429 obeyed as
    /// for every request). `provision -f` of the result plans nothing.
    ///
    /// Teams come first, then rooms, each sorted by title or name; people are sorted. A room whose title
    /// another group room shares is pinned by its `id`. The identity in use is never listed (provision
    /// never removes it). `progress` is told each membership listing done, of how many.
    public func export(_ selection: ExportSelection, as role: TokenRole = .bot,
                       progress: ((WorkProgress) -> Void)? = nil) throws -> SpacesExport {
        let (listed, teams, me) = try firstReads(as: role)
        let (rooms, team) = try selectedRooms(selection, listed: listed, teams: teams, as: role)
        let plan = ExportNames(rooms: rooms, listed: listed, teams: teams, selectedTeam: team)
        let people = try exportMemberships(rooms: rooms, teams: plan.exportedTeams, as: role, progress: progress)
        var manifest = SpacesManifest()
        for team in plan.exportedTeams {
            let members = people.teams[team.id] ?? []
            manifest.teams.append(SpacesManifest.Team(
                name: team.name, description: nonEmpty(team.description),
                members: Self.emails(members, except: me),
                moderators: nonEmpty(Self.emails(members, except: me, moderators: true))))
        }
        for room in rooms {
            let members = people.rooms[room.id] ?? []
            var entry = SpacesManifest.Room(id: plan.pinned(room) ? room.id : nil, title: room.title,
                                            team: plan.teamReference(room),
                                            participants: Self.emails(members, except: me))
            entry.description = nonEmpty(room.description)
            entry.locked = room.isLocked
            entry.announcementOnly = room.isAnnouncementOnly
            entry.moderators = nonEmpty(Self.emails(members, except: me, moderators: true))
            manifest.rooms.append(entry)
        }
        return SpacesExport(manifest: manifest, warnings: plan.warnings)
    }

    /// The group rooms, the teams and the identity's id: three reads at once.
    private func firstReads(as role: TokenRole) throws -> (rooms: [Room], teams: [Team], me: String) {
        enum Read { case rooms([Room]), teams([Team]), me(String) }
        let reads = concurrentMap([0, 1, 2], workers: 3) { step in
            Result { () -> Read in
                switch step {
                case 0:
                    var pages = try self.client(role).list("rooms", query: [("type", "group"), ("max", String(Self.maxPage))])
                    return .rooms(try Room.list(pages.collect()))
                case 1: return .teams(try self.teams(as: role))
                default: return .me(try self.me(role).id)
                }
            }
        }
        var out: (rooms: [Room], teams: [Team], me: String) = ([], [], "")
        for read in reads {
            switch try read.get() {
            case .rooms(let rooms): out.rooms = rooms
            case .teams(let teams): out.teams = teams
            case .me(let id): out.me = id
            }
        }
        return out
    }

    /// The rooms of the selection, sorted by title (then id), each once; and the team of `--team`.
    private func selectedRooms(_ selection: ExportSelection, listed: [Room], teams: [Team],
                               as role: TokenRole) throws -> ([Room], Team?) {
        var chosen: [String: Room] = [:]
        if selection.all {
            for room in listed { chosen[room.id] = room }
        }
        var team: Team?
        if let reference = selection.team {
            let found = try exportTeam(reference, teams: teams)
            for room in listed where room.teamId == found.id { chosen[room.id] = room }
            team = found
        }
        for reference in selection.rooms {
            let room = try exportRoom(reference, listed: listed, as: role)
            chosen[room.id] = room
        }
        let rooms = chosen.values.sorted { ($0.title, $0.id) < ($1.title, $1.id) }
        return (rooms, team)
    }

    /// A room by id (listed, else fetched: a direct room is refused) or by exact group-room title.
    private func exportRoom(_ reference: String, listed: [Room], as role: TokenRole) throws -> Room {
        if isWebexId(reference) {
            let room = try listed.first { $0.id == reference }
                ?? Room(json: fetch(.room, id: reference, as: role))
            guard (room.type ?? .group) == .group else {
                throw SparkError.invalidInput("room \(reference) is a direct (1:1) room: a manifest holds group rooms only")
            }
            return room
        }
        guard let room = try Self.single(listed.filter { $0.title == reference }, .roomTitled, reference) else {
            throw SparkError.notFound(kind: .roomTitled, name: reference,
                                      suggestions: closestTitles(to: reference, among: listed.map(\.title)))
        }
        return room
    }

    /// The team of `--team`: by id or exact name, among the identity's teams (only those can
    /// `provision -f` find again).
    private func exportTeam(_ reference: String, teams: [Team]) throws -> Team {
        let byId = isWebexId(reference)
        guard let team = try Self.single(teams.filter { (byId ? $0.id : $0.name) == reference }, .teamNamed, reference) else {
            throw SparkError.notFound(kind: .teamNamed, name: reference,
                                      suggestions: closestTitles(to: reference, among: teams.map(\.name)))
        }
        return team
    }

    /// The memberships of every room and team, `bulkWorkers` listings at once; the first failure is thrown.
    private func exportMemberships(rooms: [Room], teams: [Team], as role: TokenRole,
                                   progress: ((WorkProgress) -> Void)?) throws
        -> (rooms: [String: [Membership]], teams: [String: [Membership]])
    {
        enum Source { case room(String), team(String) }
        let sources = rooms.map { Source.room($0.id) } + teams.map { Source.team($0.id) }
        let total = Int64(sources.count)
        progress?(WorkProgress(label: "rooms and teams read", unit: .items, done: 0, total: total))
        let results = concurrentMap(sources, workers: Self.bulkWorkers, onResult: { index, _ in
            progress?(WorkProgress(label: "rooms and teams read", unit: .items, done: Int64(index + 1), total: total))
        }) { source in
            Result { () -> [Membership] in
                switch source {
                case .room(let id): return try self.memberships(roomId: id, as: role)
                case .team(let id): return try self.teamMemberships(teamId: id, as: role)
                }
            }
        }
        var out: (rooms: [String: [Membership]], teams: [String: [Membership]]) = ([:], [:])
        for (source, result) in zip(sources, results) {
            switch source {
            case .room(let id): out.rooms[id] = try result.get()
            case .team(let id): out.teams[id] = try result.get()
            }
        }
        return out
    }

    /// The e-mails of `members` (only the moderators when asked), sorted, without the identity `me`.
    /// A membership without an e-mail (none in Webex's answers) cannot be written and is left out.
    static func emails(_ members: [Membership], except me: String, moderators: Bool = false) -> [String] {
        let emails = members.filter { $0.personId != me && (!moderators || $0.isModerator) }.compactMap(\.personEmail)
        return Array(Set(emails)).sorted { ($0.lowercased(), $0) < ($1.lowercased(), $1) }
    }
}

private func nonEmpty<C: Collection>(_ value: C?) -> C? {
    guard let value, !value.isEmpty else { return nil }
    return value
}

/// How the export names rooms and teams so that `provision -f` finds each again: which rooms need an
/// `id:` pin, which teams are written (and how a room refers to its team).
struct ExportNames {
    private var sharedTitles: Set<String>
    private var teamsById: [String: Team]
    private var ambiguousTeamNames: Set<String>
    /// The teams of the manifest: those of the exported rooms and `--team`, by name (then id).
    private(set) var exportedTeams: [Team] = []
    private(set) var warnings: [String] = []

    init(rooms: [Room], listed: [Room], teams: [Team], selectedTeam: Team?) {
        var titles: [String: Int] = [:]
        var seen = Set<String>()
        for room in listed + rooms where seen.insert(room.id).inserted { titles[room.title, default: 0] += 1 }
        sharedTitles = Set(titles.filter { $0.value > 1 }.keys)
        teamsById = Dictionary(teams.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var names: [String: Int] = [:]
        for team in teamsById.values { names[team.name, default: 0] += 1 }
        ambiguousTeamNames = Set(names.filter { $0.value > 1 }.keys)
        var wanted = Set(rooms.compactMap(\.teamId))
        if let selectedTeam { wanted.insert(selectedTeam.id) }
        var warned = Set<String>()
        for id in wanted.sorted() {
            guard let team = teamsById[id] else {
                let titles = rooms.filter { $0.teamId == id }.map { "'\($0.title)'" }.joined(separator: ", ")
                warnings.append("the team of \(titles) is not one of the identity's teams: no team: written")
                continue
            }
            if ambiguousTeamNames.contains(team.name) {
                guard warned.insert(team.name).inserted else { continue }
                warnings.append("several teams are named '\(team.name)': its rooms name it by id, and it is not "
                    + "among the manifest's teams (a team cannot be pinned)")
                continue
            }
            exportedTeams.append(team)
        }
        exportedTeams.sort { ($0.name, $0.id) < ($1.name, $1.id) }
    }

    /// True when another group room has the same title: the room is written with its id.
    func pinned(_ room: Room) -> Bool { sharedTitles.contains(room.title) }

    /// The room's `team:`: the team's name, its id when the name is shared, nil when the identity
    /// cannot see the team (provision could not find it).
    func teamReference(_ room: Room) -> String? {
        guard let id = room.teamId, let team = teamsById[id] else { return nil }
        return ambiguousTeamNames.contains(team.name) ? team.id : team.name
    }
}
