"""Microsoft Teams on Bot Framework (botbuilder 4.17). No botbuilder type leaves this package.

`endpoint.mount_teams` adds `/api/messages` to the shared server; `gateway.TeamsGateway`
delivers cards for the core; `package` builds the app package for sideloading.
"""
