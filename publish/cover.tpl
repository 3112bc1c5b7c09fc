<div class="book-cover">
  <h1>{{ config.site_name }}</h1>
  <p class="book-cover__subtitle">{{ config.site_description }}</p>
  <p class="book-cover__note">印刷版：由本书仓库的 <code>make pdf</code> 生成。动图在这里是关键帧拼成的静态图，完整动画请看网页版。</p>
  <p class="book-cover__note">{{ config.copyright }}</p>
</div>
