"""Certificates, chains, CRLs and the CA's LDAP repository. No Qt."""
