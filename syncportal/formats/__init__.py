"""Date and number formats per interface language (FORMAT_MODULE_PATH). German and French use Django's own."""
