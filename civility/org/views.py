def org_overview(r): pass
def assignment_list(r): pass
