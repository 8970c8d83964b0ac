{{%AUTOESCAPE context="HTML"}}
<h1>Home</h1>
<p>This is the home page of the music festival organizer.</p>
<p class="signed-in">Welcome back! Signed in as <strong>{{USER_EMAIL}}</strong>.</p>
