"""Microsoft Teams on Bot Framework (botbuilder 4.17). No botbuilder type leaves this package.

`app.mount_teams` adds `/api/messages` to the shared server; `ingest` turns activities into
neutral events; `commands` answers what needs an answer; `render` draws cards as Adaptive
Cards; `gateway.TeamsGateway` delivers cards for the core; `contacts` keeps how to reach
people; `roster` reads teams' members; `package` builds the app package for sideloading
(`cli`: `engage teams-package`).
"""
