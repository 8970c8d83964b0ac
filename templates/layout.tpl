{{%AUTOESCAPE context="HTML"}}
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}} - Music Festival Organizer</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/css/styles.css">
{{#STYLESHEET}}<link rel="stylesheet" href="{{HREF}}">
{{/STYLESHEET}}
</head>
<body>
<a class="skip-link" href="#main">Skip to main content</a>
<header class="site-header">
<div class="site-header-inner">
<a class="brand" href="/"><img class="brand-logo" src="/static/favicon.svg" alt="" width="28" height="28"><span class="brand-name">Music Festival Organizer</span></a>
<nav class="site-nav" aria-label="Main">
<ul>
<li><a href="/">Home</a></li>
<li><a href="/admin">Admin</a></li>
</ul>
</nav>
<div class="account">
{{#LOGGED_IN}}
<span class="account-email"><span class="visually-hidden">Signed in as </span>{{USER_EMAIL}}</span>
<form class="logout-form" action="/logout" method="post"><input type="hidden" name="csrf_token" value="{{CSRF_TOKEN}}"><button type="submit">Log out</button></form>
{{/LOGGED_IN}}
{{#ANONYMOUS}}
<a class="account-link" href="/login{{NEXT_QUERY}}">Log in</a>
<a class="account-link account-link-primary" href="/register{{NEXT_QUERY}}">Register</a>
{{/ANONYMOUS}}
</div>
</div>
</header>
<main id="main" class="site-main">
{{#FLASHES}}
<div class="flashes">
{{#FLASH}}<div class="flash flash-{{CATEGORY}}" role="status">{{MESSAGE}}</div>
{{/FLASH}}
</div>
{{/FLASHES}}
<div class="card">
{{>CONTENT}}
</div>
</main>
<footer class="site-footer">
<p>Music Festival Organizer</p>
</footer>
</body>
</html>
{{! Base page. The code sets TITLE, shows STYLESHEET (HREF) per area,
    shows LOGGED_IN (USER_EMAIL, CSRF_TOKEN) or ANONYMOUS (NEXT_QUERY),
    shows FLASHES once with FLASH children (CATEGORY, MESSAGE),
    and sets the CONTENT include to a content template. }}
