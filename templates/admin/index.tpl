{{%AUTOESCAPE context="HTML"}}
<p class="area-badge">Administrators only</p>
<h1>Admin</h1>
<p>This is the admin page of the music festival organizer.</p>
