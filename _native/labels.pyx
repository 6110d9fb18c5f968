# placeholder compiled by the selector helper
def version():
    return 1
