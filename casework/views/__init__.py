"""The staff pages for casework. One module per page: home (worktray), case_page, search."""
