"""The GraphQL layer: types, permission directives, error presentation and app assembly.

No business rule lives here: fields call functions in `resolvers/`.
"""
