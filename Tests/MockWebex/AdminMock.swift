import Foundation

/// A team membership as `/team/memberships` renders it.
private func teamMembershipJSON(id: String, team: TeamRec, person: PersonRec) -> JObj {
    [("id", id), ("teamId", team.id), ("personId", person.id), ("personEmail", person.email),
     ("personDisplayName", person.displayName), ("personOrgId", person.orgId),
     ("isModerator", team.moderators.contains(person.id)), ("created", team.created)]
}

extension MockWebexServer {
    // MARK: Rooms (PUT /rooms/{id})

    /// Webex's rules: `title` is required (send the current one to keep it); a locked room changes only
    /// by a moderator; locking makes the caller a moderator; `teamId` only for a room without a team.
    func updateRoom(_ c: Ctx, _ room: RoomRec) -> Reply {
        var r = room
        guard let body = jsonBody(c) else { return unparsable(c) }
        guard let title = nonEmpty(body, "title") else { return missing("title", c) }
        let callerIsModerator = membership(roomId: r.id, personId: c.caller.id)?.isModerator == true
        if r.isLocked && !callerIsModerator {
            return errorReply(403, "Only a moderator can change a locked space.", c.trackingId)
        }
        if let teamId = str(body, "teamId"), teamId != r.teamId {
            guard r.type == "group" else { return errorReply(400, "A 1:1 space cannot be in a team.", c.trackingId) }
            guard r.teamId == nil else {
                // 400, as the OpenAPI's `PUT /rooms` words it (a bad request, not a conflict).
                return errorReply(400, "Only unowned spaces can be assigned to a team. Assignment between teams is unsupported.",
                                  c.trackingId)
            }
            guard let team = teamsById[teamId], team.members.contains(c.caller.id) else {
                return notFound("a team", c)
            }
            r.teamId = team.id
        }
        // The OpenAPI: "A space can only be put into announcement mode when it is locked."
        if bool(body, "isAnnouncementOnly") == true, !(bool(body, "isLocked") ?? r.isLocked) {
            return errorReply(400, "A space can only be put into announcement mode when it is locked.", c.trackingId)
        }
        r.title = title
        if let locked = bool(body, "isLocked") {
            if locked && !r.isLocked, var m = membership(roomId: r.id, personId: c.caller.id) {
                m.isModerator = true
                membershipsById[m.id] = m
            }
            r.isLocked = locked
        }
        if let only = bool(body, "isAnnouncementOnly") { r.isAnnouncementOnly = only }
        if let d = str(body, "description") { r.description = d }
        return saved(r, in: &roomsById)
    }

    // MARK: Team memberships

    /// The id of a person's membership of a team, minted on first use.
    func teamMembershipId(teamId: String, personId: String) -> String {
        let key = "\(teamId)|\(personId)"
        if let id = teamMembershipIds[key] { return id }
        let id = nextId("TEAM_MEMBERSHIP")
        teamMembershipIds[key] = id
        return id
    }

    /// The team and person of a membership id, when the caller may see it (a member of that team).
    private func visibleTeamMembership(_ c: Ctx, _ id: String) -> (TeamRec, PersonRec)? {
        guard let key = teamMembershipIds.first(where: { $0.value == id })?.key else { return nil }
        let parts = key.split(separator: "|").map(String.init)
        guard parts.count == 2, let team = teamsById[parts[0]], team.members.contains(parts[1]),
              team.members.contains(c.caller.id), let person = people[parts[1]] else { return nil }
        return (team, person)
    }

    private func visibleTeam(_ c: Ctx, _ id: String?) -> TeamRec? {
        guard let id, let team = teamsById[id], team.members.contains(c.caller.id) else { return nil }
        return team
    }

    func listTeamMemberships(_ c: Ctx) -> Reply {
        guard let teamId = c.query["teamId"], !teamId.isEmpty else {
            return errorReply(400, "teamId is required.", c.trackingId)
        }
        guard let team = visibleTeam(c, teamId) else {
            return notFound("a team", c)
        }
        let members = team.members.compactMap { people[$0] }.sorted { $0.email < $1.email }
        let items = members.map {
            JSONOut.bytes(teamMembershipJSON(id: teamMembershipId(teamId: team.id, personId: $0.id), team: team, person: $0))
        }
        return pagedList(c, items)
    }

    func createTeamMembership(_ c: Ctx) -> Reply {
        guard let body = jsonBody(c) else { return unparsable(c) }
        guard let teamId = str(body, "teamId") else { return errorReply(400, "teamId is required.", c.trackingId) }
        guard var team = visibleTeam(c, teamId) else {
            return notFound("a team", c)
        }
        let person: PersonRec
        switch personToAdd(body, c) {
        case .success(let found): person = found
        case .failure(let refusal): return refusal.reply
        }
        guard !team.members.contains(person.id) else {
            return errorReply(409, "Person is already a member of the team.", c.trackingId)
        }
        team.members.insert(person.id)
        if bool(body, "isModerator") == true { team.moderators.insert(person.id) }
        teamsById[team.id] = team
        let id = teamMembershipId(teamId: team.id, personId: person.id)
        return jsonReply(200, teamMembershipJSON(id: id, team: team, person: person))
    }

    func getTeamMembership(_ c: Ctx, _ id: String) -> Reply {
        guard let found = visibleTeamMembership(c, id) else {
            return notFound("a team membership", c)
        }
        return jsonReply(200, teamMembershipJSON(id: id, team: found.0, person: found.1))
    }

    func updateTeamMembership(_ c: Ctx, _ id: String) -> Reply {
        guard let found = visibleTeamMembership(c, id) else {
            return notFound("a team membership", c)
        }
        guard let body = jsonBody(c) else { return unparsable(c) }
        guard let moderator = bool(body, "isModerator") else {
            return errorReply(400, "isModerator is required.", c.trackingId)
        }
        var team = found.0
        let person = found.1
        if moderator { team.moderators.insert(person.id) } else { team.moderators.remove(person.id) }
        teamsById[team.id] = team
        return jsonReply(200, teamMembershipJSON(id: id, team: team, person: person))
    }

    func deleteTeamMembership(_ c: Ctx, _ id: String) -> Reply {
        guard let found = visibleTeamMembership(c, id) else {
            return notFound("a team membership", c)
        }
        teamsById[found.0.id]?.members.remove(found.1.id)
        teamsById[found.0.id]?.moderators.remove(found.1.id)
        return noContent()
    }

    // MARK: Fixtures and inspection

    /// Makes `email` (created when unknown) a member of the team.
    public func addTeamMember(teamId: String, email: String, isModerator: Bool = false) {
        lock.lock(); defer { lock.unlock() }
        guard let p = personFor(email: email, create: true) else { return }
        teamsById[teamId]?.members.insert(p.id)
        if isModerator { teamsById[teamId]?.moderators.insert(p.id) }
    }

    /// The e-mails of a team's members, sorted, and which are moderators.
    public func teamMembers(teamId: String) -> [(email: String, isModerator: Bool)] {
        lock.lock(); defer { lock.unlock() }
        guard let team = teamsById[teamId] else { return [] }
        return team.members.compactMap { people[$0] }.sorted { $0.email < $1.email }
            .map { ($0.email, team.moderators.contains($0.id)) }
    }

    /// Sets a webhook's status as Webex does when deliveries keep failing (`disabled`).
    public func setWebhookStatus(id: String, _ status: String) {
        lock.lock(); defer { lock.unlock() }
        webhooksById[id]?.status = status
    }

    /// One webhook as the API renders it (secret included: the owner sees it).
    public func webhook(id: String) -> [String: Any]? {
        lock.lock(); defer { lock.unlock() }
        return webhooksById[id].map { JSONOut.dict(JSONOut.bytes($0.json())) }
    }

    /// Makes the person of `email` a moderator of the room (or not).
    public func setModerator(roomId: String, email: String, _ moderator: Bool) {
        lock.lock(); defer { lock.unlock() }
        guard let p = personFor(email: email, create: false), var m = membership(roomId: roomId, personId: p.id) else { return }
        m.isModerator = moderator
        membershipsById[m.id] = m
    }

    /// Sets a room's lock and team directly (fixtures).
    public func setRoom(id: String, isLocked: Bool? = nil, teamId: String? = nil) {
        lock.lock(); defer { lock.unlock() }
        if let isLocked { roomsById[id]?.isLocked = isLocked }
        if let teamId { roomsById[id]?.teamId = teamId }
    }
}
