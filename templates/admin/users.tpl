{{%AUTOESCAPE context="HTML"}}
{{! User list. Sets SEARCH, SUMMARY; USER rows (ID, EMAIL, STATUS, ROLES,
    CREATED, LAST_LOGIN); NO_USERS; FIRST / PREV / NEXT sections with HREF.
    The search is an email prefix (an index range, not a scan). }}
<p class="area-badge">Administrators only</p>
<h1>Users</h1>
<p><a href="/admin">&larr; Admin overview</a></p>
<form class="form-inline search-form" action="/admin/users" method="get" role="search">
<label for="q">Search by email</label>
<input type="search" id="q" name="q" value="{{SEARCH}}" maxlength="254" autofocus aria-describedby="q-hint">
<button type="submit" class="button">Search</button>
<p class="field-hint" id="q-hint">Finds emails that start with the text, e.g. <kbd>anna</kbd> or <kbd>anna.k@</kbd></p>
</form>
<p class="muted">{{SUMMARY}}</p>
{{#NO_USERS}}<p>No users match.</p>{{/NO_USERS}}
{{#USERS}}
<div class="table-wrap">
<table>
<thead><tr><th scope="col">Email</th><th scope="col">Status</th><th scope="col">Roles</th><th scope="col">Created (UTC)</th><th scope="col">Last login (UTC)</th></tr></thead>
<tbody>
{{#USER}}<tr><td><a href="/admin/users/{{ID}}">{{EMAIL}}</a></td><td>{{STATUS}}</td><td>{{ROLES}}</td><td class="when">{{CREATED}}</td><td class="when">{{LAST_LOGIN}}</td></tr>
{{/USER}}
</tbody>
</table>
</div>
{{/USERS}}
<nav class="pagination" aria-label="Pages">
{{#FIRST}}<a class="button button-secondary" href="{{HREF}}">First</a>{{/FIRST}}
{{#PREV}}<a class="button button-secondary" rel="prev" href="{{HREF}}">Previous</a>{{/PREV}}
{{#NEXT}}<a class="button button-secondary" rel="next" href="{{HREF}}">Next</a>{{/NEXT}}
</nav>
