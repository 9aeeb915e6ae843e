import Foundation

/// What `provision` has to do to make the space match the settings (computed with reads only).
public struct ProvisionPlan {
    /// One change; `action` is `create-team`, `create-room`, `attach-team`, `move-room-to-team` or `add-participant`.
    public struct Step: Equatable {
        public var action: String
        public var target: String
    }

    /// The room title (`space.room`).
    public var title: String
    /// The existing room, nil when it is to be created.
    public var room: JSON?
    /// The team name (`space.team`), when set.
    public var teamName: String?
    /// The existing team, nil when none is set or it is to be created.
    public var team: JSON?
    /// E-mails of `space.participants` that are not members yet.
    public var participantsToAdd: [String]
    /// Differences that provisioning cannot fix (an existing room in another team).
    public var warnings: [String]

    /// True when an existing room has no team and `space.team` is set: Webex lets an unowned
    /// room be moved into a team (`PUT /rooms/{id}` with `teamId`), not one from another team.
    public var movesRoom: Bool { room != nil && teamName != nil && room?["teamId"]?.string == nil }

    /// True when the team is set, missing, and needed for a new or moved room.
    public var createsTeam: Bool { (room == nil || movesRoom) && teamName != nil && team == nil }

    /// The changes in the order they are made.
    public var steps: [Step] {
        var steps: [Step] = []
        if createsTeam, let teamName { steps.append(Step(action: "create-team", target: teamName)) }
        if room == nil {
            steps.append(Step(action: "create-room", target: title))
            if let teamName { steps.append(Step(action: "attach-team", target: teamName)) }
        } else if movesRoom, let teamName {
            steps.append(Step(action: "move-room-to-team", target: teamName))
        }
        steps += participantsToAdd.map { Step(action: "add-participant", target: $0) }
        return steps
    }
}

/// The result of `provision`: the room, plus what was done.
public struct ProvisionOutcome {
    public var room: JSON
    public var createdTeam: Bool
    public var createdRoom: Bool
    public var participants: [ParticipantResult]
    public var warnings: [String]
}

extension SparkSpace {
    /// Plans provisioning from the settings (`space.room`, `space.team`, `space.participants`)
    /// with read requests only.
    ///
    /// An existing room without a team is moved into `space.team`; Webex cannot move a room
    /// between teams, so one in another team is kept as it is, with a warning. A missing team
    /// is created only when the room is created or moved into it.
    public func provisionPlan(as role: TokenRole = .bot) throws -> ProvisionPlan {
        let title = settings.room
        var room: JSON?
        if isWebexId(title) {
            room = try self.room(title, as: role)
        } else {
            let matches = try groupRooms(titled: title, as: role)
            if matches.count > 1 {
                let ids = matches.compactMap { $0["id"]?.string }.joined(separator: ", ")
                throw SparkError.conflict("\(matches.count) group rooms are titled '\(title)': \(ids)")
            }
            room = matches.first
        }
        var team: JSON?
        var warnings: [String] = []
        let teamName = settings.team.flatMap { $0.isEmpty ? nil : $0 }
        if let teamName {
            if isWebexId(teamName) {
                team = try self.team(teamName, as: role)
            } else {
                team = try self.team(named: teamName, as: role)
            }
            if let room, let roomTeam = room["teamId"]?.string, roomTeam != team?["id"]?.string {
                warnings.append("room '\(room["title"]?.string ?? title)' is in another team than '\(teamName)'; "
                    + "Webex cannot move a room between teams, so it is left as it is")
            }
        }
        var wanted: [String] = []
        var seen = Set<String>()
        for email in settings.participants {
            let trimmed = email.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, seen.insert(trimmed.lowercased()).inserted { wanted.append(trimmed) }
        }
        var toAdd = wanted
        if let roomId = room?["id"]?.string, !wanted.isEmpty {
            let members = Set(try memberships(roomId: roomId, as: role).compactMap { $0["personEmail"]?.string?.lowercased() })
            toAdd = wanted.filter { !members.contains($0.lowercased()) }
        }
        return ProvisionPlan(title: title, room: room, teamName: teamName, team: team,
                             participantsToAdd: toAdd, warnings: warnings)
    }

    /// Carries out a plan: creates the team and room when missing, adds the missing participants.
    /// An unchanged space sends no write request.
    public func provision(_ plan: ProvisionPlan, as role: TokenRole = .bot) throws -> ProvisionOutcome {
        var room = plan.room
        var createdTeam = false
        var createdRoom = false
        var teamId = plan.team?["id"]?.string
        if plan.createsTeam, let name = plan.teamName {
            teamId = try createTeam(name: name, as: role)["id"]?.string
            createdTeam = true
        }
        if room == nil {
            room = try createRoom(title: plan.title, teamId: teamId, as: role)
            createdRoom = true
        } else if plan.movesRoom, let current = room, let id = current["id"]?.string, let teamId {
            room = try client(role).put(WebexClient.resource("rooms", id), ["title": current["title"] ?? .string(plan.title),
                                                          "teamId": .string(teamId)])
        }
        guard let room, let roomId = room["id"]?.string else {
            throw SparkError.io("the API returned a room without an id")
        }
        let results = addParticipants(roomId: roomId, emails: plan.participantsToAdd, as: role)
        return ProvisionOutcome(room: room, createdTeam: createdTeam, createdRoom: createdRoom,
                                participants: results, warnings: plan.warnings)
    }
}
