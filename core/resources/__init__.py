"""The resource inventory (services and partners) and the need categories that link needs to it."""
