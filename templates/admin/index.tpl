{{%AUTOESCAPE context="HTML"}}
{{! Admin console overview. Sets USERS, ACTIVE_USERS, LIVE_SESSIONS, AS_OF,
    MAX_AGE; SESSIONS_ESTIMATED (SAMPLED, STORED) when the session figure is
    an estimate; ROLE rows (NAME, DESCRIPTION, PERMISSIONS, MEMBERS); EVENT
    rows (TIME, ACTOR, ACTION, TARGET, ADDRESS) or NO_EVENTS. }}
<p class="area-badge">Administrators only</p>
<h1>Admin</h1>
<p>This is the admin page of the music festival organizer.</p>
<nav class="console-nav" aria-label="Admin console">
<a class="button" href="/admin/users">Users</a>
<a class="button button-secondary" href="/admin/roles">Roles</a>
</nav>
<h2>Overview</h2>
<ul class="stats">
<li><span class="stat-value">{{USERS}}</span> <span class="stat-label">users</span></li>
<li><span class="stat-value">{{ACTIVE_USERS}}</span> <span class="stat-label">active users</span></li>
<li><span class="stat-value">{{LIVE_SESSIONS}}</span> <span class="stat-label">live sessions</span></li>
</ul>
<p class="muted figures-note">As of {{AS_OF}} UTC (refreshed every {{MAX_AGE}} s).{{#SESSIONS_ESTIMATED}} Live sessions estimated from {{SAMPLED}} of about {{STORED}} stored sessions (expired ones are removed by <code>mfo-db purge-sessions</code>).{{/SESSIONS_ESTIMATED}}</p>
<h2>Roles</h2>
<div class="table-wrap">
<table>
<thead><tr><th scope="col">Role</th><th scope="col">Description</th><th scope="col">Permissions</th><th scope="col">Members</th></tr></thead>
<tbody>
{{#ROLE}}<tr><td>{{NAME}}</td><td>{{DESCRIPTION}}</td><td>{{PERMISSIONS}}</td><td>{{MEMBERS}}</td></tr>
{{/ROLE}}
</tbody>
</table>
</div>
<h2>Latest security events</h2>
{{#NO_EVENTS}}<p class="muted">No events yet.</p>{{/NO_EVENTS}}
{{#EVENTS}}
<div class="table-wrap">
<table class="events">
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Who</th><th scope="col">Event</th><th scope="col">Target</th><th scope="col">Address</th></tr></thead>
<tbody>
{{#EVENT}}<tr><td class="when">{{TIME}}</td><td>{{ACTOR}}</td><td>{{ACTION}}</td><td>{{TARGET}}</td><td>{{ADDRESS}}</td></tr>
{{/EVENT}}
</tbody>
</table>
</div>
{{/EVENTS}}
