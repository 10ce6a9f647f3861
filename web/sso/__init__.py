"""Single sign-on with an OpenID Connect provider (Keycloak, Entra ID…)."""
