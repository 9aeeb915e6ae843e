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

/// One change of a provisioning plan: SPEC "The spaces manifest" rows `action`, `target`, `detail`.
public struct PlanRow {
    /// What the plan does (`create`, `add`, `remove`, `set`, `unchanged`).
    public var action: String
    /// What it acts on (a room, a team, a person).
    public var target: String
    /// The rest: a setting's old and new value, a person's role.
    public var detail: String
    /// After applying: nil when done, else what went wrong.
    public var error: Error?
    /// After applying: true.
    public var applied = false
    let operation: PlanOperation

    /// `done` or `failed: ...` once applied; nil before.
    public var result: String? {
        guard applied else { return nil }
        return error.map { "failed: \($0)" } ?? "done"
    }
}

/// What a row does, with what planning found (ids, current memberships).
enum PlanOperation {
    case createTeam(name: String, description: String?)
    case updateTeam(id: String, name: String, description: String)
    case addTeamMember(team: String, email: String, moderator: Bool)
    case setTeamModerator(membershipId: String, moderator: Bool)
    case removeTeamMember(membershipId: String)
    case createRoom(room: Int, title: String, team: String?)
    case updateRoom(room: Int, changes: RoomChanges)
    case addParticipant(room: Int, email: String, moderator: Bool)
    case setModerator(membership: Membership, moderator: Bool)
    case removeParticipant(membershipId: String)

    /// Writes run in phases: teams, their members, rooms, their participants (a created id is needed next).
    var phase: Int {
        switch self {
        case .createTeam, .updateTeam: return 0
        case .addTeamMember, .setTeamModerator, .removeTeamMember: return 1
        case .createRoom, .updateRoom: return 2
        case .addParticipant, .setModerator, .removeParticipant: return 3
        }
    }

    /// Rows of one room's settings run one after the other (each PUT carries the title).
    var room: Int? {
        switch self {
        case .createRoom(let room, _, _), .updateRoom(let room, _): return room
        default: return nil
        }
    }
}

/// What `provision` would change, computed with reads only.
public struct SpacesPlan {
    /// The rows, in the order the plan runs them.
    public var rows: [PlanRow]
    /// Differences provisioning cannot fix (a room in another team).
    public var warnings: [String]
    /// Existing rooms by manifest index; after applying, created and updated ones too.
    public var rooms: [Int: Room]
    /// Team ids by the reference the manifest uses (a team name, or an id).
    var teamIds: [String: String]
}

extension SpacesManifest {
    /// The seed's settings as a one-room manifest (`provision` without `-f`): the room of `space.room`
    /// (pinned when it is an id), in `space.team` (a team without members, created when missing),
    /// with `space.participants` (added, never removed).
    public init(settings: Settings) {
        let teamName = settings.team.flatMap { $0.isEmpty ? nil : $0 }
        teams = teamName.map { isWebexId($0) ? [] : [Team(name: $0)] } ?? []
        // The seed's bond: without space.room, provision (only it) uses the fallback title.
        let room = settings.room ?? Settings.fallbackRoomTitle
        let pinned = isWebexId(room)
        rooms = [Room(id: pinned ? room : nil, title: pinned ? nil : room, team: teamName,
                      participants: settings.participants.isEmpty ? nil : settings.participants)]
    }
}

/// What planning reads: one listing per resource kind, one membership listing per room or team.
struct PlanInputs {
    var teams: [Team]
    var rooms: [Int: Room]
    var teamIds: [String: String]
    var roomMembers: [Int: [Membership]]
    var teamMembers: [String: [Membership]]
    var botId: String?
    /// The e-mails of the identity in use (lower case): never removed, whatever its membership's personId says.
    var selfEmails: Set<String> = []
}

extension Space {
    /// Plans the changes that make the spaces match `manifest`, with read requests only. A room team
    /// that is neither in the manifest nor existing is `notFound`; a title or team name that
    /// matches several is `ambiguous`.
    public func plan(_ manifest: SpacesManifest, prune: Bool, as role: TokenRole = .bot) throws -> SpacesPlan {
        let inputs = try planInputs(manifest, prune: prune, as: role)
        var rows: [PlanRow] = []
        var warnings: [String] = []
        for team in manifest.teams { rows += teamRows(team, inputs: inputs, prune: prune) }
        for (index, room) in manifest.rooms.enumerated() {
            rows += roomRows(room, index: index, inputs: inputs, prune: prune, warnings: &warnings)
        }
        return SpacesPlan(rows: rows, warnings: warnings, rooms: inputs.rooms, teamIds: inputs.teamIds)
    }

    func planInputs(_ manifest: SpacesManifest, prune: Bool, as role: TokenRole) throws -> PlanInputs {
        let needsTeams = !manifest.teams.isEmpty || manifest.rooms.contains { $0.team != nil }
        let teams = needsTeams ? try self.teams(as: role) : []
        var teamIds: [String: String] = [:]
        for team in manifest.teams {
            teamIds[team.name] = try Self.single(teams.filter { $0.name == team.name }, .teamNamed, team.name)?.id
        }
        let names = Set(manifest.teams.map(\.name))
        for room in manifest.rooms {
            guard let reference = room.team, !names.contains(reference), teamIds[reference] == nil else { continue }
            teamIds[reference] = try existingTeamId(reference, teams: teams, room: room.label)
        }
        let rooms = try existingRooms(manifest, as: role)
        let listed = manifest.rooms.indices.filter { rooms[$0] != nil && peopleListed(manifest.rooms[$0]) }
        let roomMembers = try listConcurrently(listed) { try self.memberships(roomId: rooms[$0]!.id, as: role) }
        let teamsListed = manifest.teams.filter { teamIds[$0.name] != nil && ($0.members != nil || $0.moderators != nil) }
        let teamMembers = try listConcurrently(teamsListed.map(\.name)) {
            try self.teamMemberships(teamId: teamIds[$0]!, as: role)
        }
        let identity = prune ? try me(role) : nil
        return PlanInputs(teams: teams, rooms: rooms, teamIds: teamIds, roomMembers: roomMembers,
                          teamMembers: teamMembers, botId: identity?.id,
                          selfEmails: Set((identity?.emails ?? []).map { $0.lowercased() }))
    }

    private func peopleListed(_ room: SpacesManifest.Room) -> Bool {
        room.participants != nil || room.moderators != nil
    }

    /// The id of an existing team named (or with the id) `reference`; not found names the room.
    private func existingTeamId(_ reference: String, teams: [Team], room: String) throws -> String {
        let byId = isWebexId(reference)
        guard let team = try Self.single(teams.filter { (byId ? $0.id : $0.name) == reference }, .teamNamed, reference) else {
            throw SparkError.notFound(kind: .manifestTeam(room: room), name: reference,
                                      suggestions: closestTitles(to: reference, among: teams.map(\.name)))
        }
        return team.id
    }

    /// The existing room of each manifest room: one listing of the group rooms; a pinned id that the
    /// listing does not show is fetched (none is not found).
    private func existingRooms(_ manifest: SpacesManifest, as role: TokenRole) throws -> [Int: Room] {
        guard !manifest.rooms.isEmpty else { return [:] }
        var pages = try client(role).list("rooms", query: [("type", "group"), ("max", String(Self.maxPage))])
        let all = try Room.list(pages.collect())
        var found: [Int: Room] = [:]
        for (index, room) in manifest.rooms.enumerated() {
            if let id = room.id {
                found[index] = try all.first { $0.id == id } ?? Room(json: fetch(.room, id: id, as: role))
            } else if let title = room.title {
                found[index] = try Self.single(all.filter { $0.title == title }, .roomTitled, title)
            }
        }
        try Self.checkOnce(found, manifest)
        return found
    }

    /// Two entries that are one room (one by id, one by title) would each prune the other's
    /// people, run after run: refused before anything is written.
    private static func checkOnce(_ found: [Int: Room], _ manifest: SpacesManifest) throws {
        var first: [String: Int] = [:]
        for index in found.keys.sorted() {
            guard let room = found[index] else { continue }
            if let earlier = first[room.id] {
                func name(_ i: Int) -> String { manifest.rooms[i].title.map { "'\($0)'" } ?? manifest.rooms[i].id ?? "#\(i + 1)" }
                throw SparkError.invalidInput("the manifest's rooms \(name(earlier)) and \(name(index)) are one room "
                    + "(\(room.id)): list it once")
            }
            first[room.id] = index
        }
    }

    /// Runs `read` for each key, a few at once; the first error is thrown.
    private func listConcurrently<Key: Hashable>(_ keys: [Key], _ read: @escaping (Key) throws -> [Membership]) throws
        -> [Key: [Membership]]
    {
        let results = concurrentMap(keys, workers: Self.bulkWorkers) { key in Result { try read(key) } }
        var out: [Key: [Membership]] = [:]
        for (key, result) in zip(keys, results) { out[key] = try result.get() }
        return out
    }

    func teamRows(_ team: SpacesManifest.Team, inputs: PlanInputs, prune: Bool) -> [PlanRow] {
        var rows: [PlanRow] = []
        let id = inputs.teamIds[team.name]
        if id == nil {
            rows.append(PlanRow(action: "create-team", target: team.name, detail: team.description.map { "description: \($0)" } ?? "",
                                operation: .createTeam(name: team.name, description: team.description)))
        } else if let id, let description = team.description,
                  inputs.teams.first(where: { $0.id == id })?.description ?? "" != description {
            rows.append(PlanRow(action: "update-team", target: team.name, detail: "description: \(description)",
                                operation: .updateTeam(id: id, name: team.name, description: description)))
        }
        guard team.members != nil || team.moderators != nil else { return rows }
        let current = Self.byEmail(inputs.teamMembers[team.name] ?? [])
        let people = PeopleDiff(members: team.members, moderators: team.moderators, current: current,
                                botId: inputs.botId, selfEmails: inputs.selfEmails, prune: prune)
        return rows + people.rows(place: "team '\(team.name)'", member: "team-member", moderator: "team-moderator",
                                  add: { .addTeamMember(team: team.name, email: $0, moderator: $1) },
                                  flag: { .setTeamModerator(membershipId: $0.id, moderator: $1) },
                                  remove: { .removeTeamMember(membershipId: $0.id) })
    }

    func roomRows(_ room: SpacesManifest.Room, index: Int, inputs: PlanInputs, prune: Bool,
                  warnings: inout [String]) -> [PlanRow] {
        var rows: [PlanRow] = []
        let existing = inputs.rooms[index]
        let title = room.title ?? existing?.title ?? room.label
        if existing == nil {
            rows.append(PlanRow(action: "create-room", target: title, detail: room.team.map { "team '\($0)'" } ?? "",
                                operation: .createRoom(room: index, title: title, team: room.team)))
        } else if let old = existing?.title, old != title {
            var rename = RoomChanges()
            rename.title = title
            rows.append(PlanRow(action: "rename-room", target: old, detail: "to '\(title)'",
                                operation: .updateRoom(room: index, changes: rename)))
        }
        if let settings = settingsChanges(room, existing: existing) {
            rows.append(PlanRow(action: "update-room", target: title, detail: settings.detail,
                                operation: .updateRoom(room: index, changes: settings.changes)))
        }
        if let existing, let reference = room.team {
            let wanted = inputs.teamIds[reference]
            if let current = existing.teamId {
                if current != wanted {
                    warnings.append("room '\(title)' is in another team than '\(reference)'; "
                        + "Webex moves only a room without a team, so it is left there")
                }
            } else {
                var move = RoomChanges()
                move.teamId = reference
                rows.append(PlanRow(action: "move-room-to-team", target: title, detail: "team '\(reference)'",
                                    operation: .updateRoom(room: index, changes: move)))
            }
        }
        guard peopleListed(room) else { return rows }
        let current = Self.byEmail(inputs.roomMembers[index] ?? [])
        let people = PeopleDiff(members: room.participants, moderators: room.moderators, current: current,
                                botId: inputs.botId, selfEmails: inputs.selfEmails, prune: prune)
        return rows + people.rows(place: "room '\(title)'", member: "participant", moderator: "moderator",
                                  add: { .addParticipant(room: index, email: $0, moderator: $1) },
                                  flag: { .setModerator(membership: $0, moderator: $1) },
                                  remove: { .removeParticipant(membershipId: $0.id) })
    }

    /// The description, lock and announcement changes of a room (a new room starts unlocked, without
    /// description); nil when there are none.
    private func settingsChanges(_ room: SpacesManifest.Room, existing: Room?) -> (changes: RoomChanges, detail: String)? {
        var changes = RoomChanges()
        var parts: [String] = []
        if let description = room.description, description != existing?.description ?? "" {
            changes.description = description
            parts.append("description: \(description)")
        }
        if let locked = room.locked, locked != existing?.isLocked ?? false {
            changes.isLocked = locked
            parts.append("locked: \(locked)")
        }
        if let only = room.announcementOnly, only != existing?.isAnnouncementOnly ?? false {
            changes.isAnnouncementOnly = only
            parts.append("announcement_only: \(only)")
        }
        return changes.isEmpty ? nil : (changes, parts.joined(separator: ", "))
    }
}

/// The people changes of one room or team: who to add, whose moderator flag to change, who to remove.
struct PeopleDiff {
    var add: [String] = []
    var flags: [(Membership, Bool)] = []
    var remove: [Membership] = []
    private var moderators: Set<String>

    init(members: [String]?, moderators: [String]?, current: [String: Membership], botId: String?,
         selfEmails: Set<String> = [], prune: Bool) {
        self.moderators = Set((moderators ?? []).map { $0.lowercased() })
        var wanted: [String] = []
        var seen = Set<String>()
        for email in (members ?? []) + (moderators ?? []) where seen.insert(email.lowercased()).inserted {
            wanted.append(email)
        }
        for email in wanted {
            guard let membership = current[email.lowercased()] else {
                add.append(email)
                continue
            }
            if isModerator(email) && !membership.isModerator { flags.append((membership, true)) }
        }
        guard prune else { return }
        // --prune: people and moderator flags the manifest does not list go, never the identity in use
        // (recognized by id and by e-mail: a listing may show it under either alone).
        for (email, membership) in current.sorted(by: { $0.key < $1.key }) {
            if let botId, membership.personId == botId { continue }
            if selfEmails.contains(email) { continue }
            if !seen.contains(email) {
                remove.append(membership)
            } else if membership.isModerator && !self.moderators.contains(email) {
                flags.append((membership, false))
            }
        }
    }

    func isModerator(_ email: String) -> Bool { moderators.contains(email.lowercased()) }
}

extension Space {
    /// Carries out a plan: phase by phase (teams, team members, rooms, participants), each phase's writes
    /// a few at once. A failed row does not stop the others; rows that need what it would have made fail too.
    public func apply(_ plan: SpacesPlan, as role: TokenRole = .bot) -> SpacesPlan {
        var plan = plan
        for phase in 0...3 {
            let indices = plan.rows.indices.filter { plan.rows[$0].operation.phase == phase }
            let jobs = Self.jobs(indices, rows: plan.rows)
            let state = plan
            let done = concurrentMap(jobs, workers: Self.bulkWorkers) { job in self.run(job, state: state, as: role) }
            for (index, outcome) in done.joined() {
                plan.rows[index].applied = true
                switch outcome {
                case .success(let made):
                    if let made { plan.record(made, for: plan.rows[index].operation) }
                case .failure(let error):
                    plan.rows[index].error = error
                }
            }
        }
        return plan
    }

    /// Rows of one room's settings form one job (run in order); every other row is a job of its own.
    static func jobs(_ indices: [Int], rows: [PlanRow]) -> [[Int]] {
        var jobs: [[Int]] = []
        var byRoom: [Int: Int] = [:]
        for index in indices {
            if let room = rows[index].operation.room {
                if let job = byRoom[room] {
                    jobs[job].append(index)
                    continue
                }
                byRoom[room] = jobs.count
            }
            jobs.append([index])
        }
        return jobs
    }

    private func run(_ job: [Int], state: SpacesPlan, as role: TokenRole) -> [(Int, Result<PlanMade?, Error>)] {
        var state = state
        return job.map { index in
            let operation = state.rows[index].operation
            let outcome = Result { try self.perform(operation, state: state, as: role) }
            if case .success(let made?) = outcome { state.record(made, for: operation) }
            return (index, outcome)
        }
    }

    /// One write; returns the team or room it made or changed.
    private func perform(_ operation: PlanOperation, state: SpacesPlan, as role: TokenRole) throws -> PlanMade? {
        let api = try client(role)
        switch operation {
        case .createTeam(let name, let description):
            return .team(try createTeam(name: name, description: description, as: role))
        case .updateTeam(let id, let name, let description):
            return .team(try updateTeam(id: id, name: name, description: description, as: role))
        case .addTeamMember(let team, let email, let moderator):
            _ = try createTeamMembership(teamId: try state.teamId(team), email: email, moderator: moderator, as: role)
        case .setTeamModerator(let id, let moderator):
            _ = try api.put(try WebexClient.path(.teamMembership, id), ["isModerator": .bool(moderator)])
        case .removeTeamMember(let id):
            try api.delete(try WebexClient.path(.teamMembership, id))
        case .createRoom(_, let title, let team):
            return .room(try createRoom(title: title, teamId: try team.map { try state.teamId($0) }, as: role))
        case .updateRoom(let room, var changes):
            if let team = changes.teamId { changes.teamId = try state.teamId(team) }
            return .room(try updateRoom(try state.room(room), changes, as: role))
        case .addParticipant(let room, let email, let moderator):
            _ = try createMembership(roomId: try state.roomId(room), email: email, moderator: moderator, as: role)
        case .setModerator(let membership, let moderator):
            // The OpenAPI requires isRoomHidden too: keep the member's own.
            _ = try api.put(try WebexClient.path(.membership, membership.id),
                            ["isModerator": .bool(moderator), "isRoomHidden": .bool(membership.isRoomHidden)])
        case .removeParticipant(let id):
            try api.delete(try WebexClient.path(.membership, id))
        }
        return nil
    }
}

/// What a write of the plan made or changed, for the rows that need it next.
enum PlanMade {
    case team(Team)
    case room(Room)
}

extension SpacesPlan {
    mutating func record(_ made: PlanMade, for operation: PlanOperation) {
        switch (made, operation) {
        case (.team(let team), .createTeam(let name, _)):
            teamIds[name] = team.id
        case (.room(let room), .createRoom(let index, _, _)), (.room(let room), .updateRoom(let index, _)):
            rooms[index] = room
        default:
            break
        }
    }

    func teamId(_ reference: String) throws -> String {
        guard let id = teamIds[reference] else { throw SparkError.notFound(kind: .createdTeam, name: reference, suggestions: []) }
        return id
    }

    func room(_ index: Int) throws -> Room {
        guard let room = rooms[index] else { throw SparkError.notFound(kind: .createdRoom, name: "", suggestions: []) }
        return room
    }

    func roomId(_ index: Int) throws -> String {
        try room(index).id
    }
}

extension PeopleDiff {
    /// The plan rows of this difference in `place`: who is added, whose moderator flag changes,
    /// who is removed. `member` and `moderator` name the actions (`add-participant`,
    /// `set-moderator`, ...); the closures make their operations.
    func rows(place: String, member: String, moderator: String, add: (String, Bool) -> PlanOperation,
              flag: (Membership, Bool) -> PlanOperation, remove: (Membership) -> PlanOperation) -> [PlanRow] {
        var rows: [PlanRow] = []
        for email in self.add {
            let asModerator = isModerator(email)
            rows.append(PlanRow(action: "add-\(member)", target: email, detail: place + (asModerator ? ", moderator" : ""),
                                operation: add(email, asModerator)))
        }
        for (membership, on) in flags {
            rows.append(PlanRow(action: (on ? "set-" : "unset-") + moderator, target: membership.personEmail ?? "",
                                detail: place, operation: flag(membership, on)))
        }
        for membership in self.remove {
            rows.append(PlanRow(action: "remove-\(member)", target: membership.personEmail ?? "", detail: place,
                                operation: remove(membership)))
        }
        return rows
    }
}
