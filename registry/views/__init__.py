"""The registry's HTML pages: public pages, sign-in, organisation pages, the authority console."""
