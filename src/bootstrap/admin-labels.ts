/**
 * What staff read in the content manager: the name of each content type and, for every field, its label in
 * Russian and English, with a Russian description (help under the input) and placeholder where one helps.
 *
 * One catalogue, two readers:
 * - src/bootstrap/admin-layouts.ts writes the Russian labels, descriptions and placeholders into the content
 *   manager's configuration (the labels Strapi shows when no translation overrides them);
 * - src/admin/app.tsx turns it into admin translations: the content manager looks every field label up as
 *   `content-manager.content-types.<uid>.<field>` (list headers and edit forms) and every content-type name as
 *   its `info.displayName`, so English staff see the English texts and Russian staff the Russian ones.
 *
 * Pure data: no imports, so the admin bundle can import it too. Descriptions and placeholders have no
 * translation hook in the content manager, so they are Russian only (the staff's first language).
 */

/** [Russian label, English label, Russian description?, Russian placeholder?] */
export type FieldText = readonly [ru: string, en: string, description?: string, placeholder?: string];

export interface TypeText {
  /** `info.displayName` of the schema: the content manager's key for the type's name. */
  displayName: string;
  ru: string;
  en: string;
  fields: Readonly<Record<string, FieldText>>;
}

const SERVER = 'Заполняет сервер';

/** Fields every content type has (timestamps, ids, authors), labelled the same everywhere. */
export const COMMON_FIELDS: Readonly<Record<string, FieldText>> = {
  id: ['ID', 'ID'],
  documentId: ['ID документа', 'Document ID'],
  createdAt: ['Создано', 'Created at'],
  updatedAt: ['Изменено', 'Updated at'],
  publishedAt: ['Опубликовано', 'Published at'],
  createdBy: ['Кто создал', 'Created by'],
  updatedBy: ['Кто изменил', 'Updated by'],
};

const MONEY = 'В рублях; хранится в копейках';

export const CONTENT_TYPE_TEXTS: Readonly<Record<string, TypeText>> = {
  'plugin::users-permissions.user': {
    displayName: 'User',
    ru: 'Участники',
    en: 'Members',
    fields: {
      fullName: ['Имя и фамилия', 'Full name', 'Как участник назвал себя при регистрации', 'Иван Петров'],
      phone: ['Телефон', 'Phone', 'В формате +7XXXXXXXXXX', '+79991234567'],
      email: ['Эл. почта', 'Email', 'У участников из Telegram без почты — служебный адрес в домене .invalid', 'name@example.com'],
      telegramId: ['Telegram ID', 'Telegram ID', 'Числовой id пользователя Telegram; заполняет бот', '123456789'],
      telegramUsername: ['Имя в Telegram', 'Telegram username', 'Без @', 'username'],
      username: ['Логин', 'Username', 'Служебное имя учётной записи'],
      provider: ['Способ входа', 'Provider', SERVER],
      password: ['Пароль', 'Password', 'Участники входят через Telegram; пароль не нужен'],
      resetPasswordToken: ['Токен сброса пароля', 'Password reset token', SERVER],
      confirmationToken: ['Токен подтверждения', 'Confirmation token', SERVER],
      confirmed: ['Подтверждён', 'Confirmed'],
      blocked: ['Вход запрещён', 'Blocked', 'Учётная запись не может войти (для блокировки участника используйте «Забанен» в карточке участника)'],
      role: ['Роль', 'Role', 'Authenticated — участник; служебные роли — для бота и интеграций'],
      language: ['Язык', 'Language', 'Язык сообщений бота: ru или en'],
      consentTerms: ['Согласие с правилами', 'Accepted the terms'],
      consentAt: ['Дата согласия', 'Consent given at'],
      consentMarketing: ['Согласие на рассылки', 'Marketing consent', 'Без согласия участник не получает рекламные рассылки'],
      referrer: ['Кто пригласил', 'Referred by'],
      referrals: ['Кого пригласил', 'Referrals'],
      referralCode: ['Реферальный код', 'Referral code', SERVER],
      birthDate: ['Дата рождения', 'Birth date'],
      isBanned: ['Забанен', 'Banned', 'Бан и разбан — в карточке участника, с причиной'],
      banReason: ['Причина бана', 'Ban reason'],
      bannedAt: ['Когда забанен', 'Banned at'],
      botBlocked: ['Заблокировал бота', 'Blocked the bot', 'Участник остановил бота: сообщения ему не доставляются'],
      botBlockedAt: ['Когда заблокировал бота', 'Blocked the bot at'],
      adminComment: ['Комментарий администратора', 'Admin comment', 'Виден только сотрудникам'],
      successfulBookings: ['Успешных бронирований', 'Successful bookings', SERVER],
      registeredAt: ['Дата регистрации', 'Registered at'],
      bookings: ['Бронирования', 'Bookings'],
      tickets: ['Обращения', 'Tickets'],
    },
  },
  'api::resource.resource': {
    displayName: 'Resource',
    ru: 'Ресурсы',
    en: 'Resources',
    fields: {
      name: ['Название', 'Name', undefined, 'Переговорная «Байкал»'],
      slug: ['Код', 'Slug', 'Латиницей, для ссылок и бота', 'baikal'],
      kind: ['Тип', 'Kind', 'meeting_room — переговорная, open_space — открытое пространство, office — офис, other — другое'],
      description: ['Описание', 'Description', 'Участники видят его в боте'],
      capacity: ['Вместимость', 'Capacity', 'Сколько бронирований одновременно: мест в open space, 1 для переговорной'],
      openingHours: ['Часы работы', 'Opening hours', 'По дням недели, например {"mon": [["09:00", "21:00"]], …}'],
      closedDates: ['Выходные дни', 'Closed dates', 'Список дат ГГГГ-ММ-ДД, когда ресурс закрыт'],
      bufferMinutes: ['Перерыв между бронированиями, мин', 'Buffer between bookings, min'],
      isActive: ['Активен', 'Active', 'Неактивный ресурс нельзя забронировать'],
      color: ['Цвет', 'Colour', 'Цвет в календаре, например #3b82f6', '#3b82f6'],
      location: ['Адрес или этаж', 'Location', undefined, '3 этаж'],
      lockVersion: ['Версия блокировки', 'Lock version', SERVER],
      tariffs: ['Тарифы', 'Tariffs'],
    },
  },
  'api::tariff.tariff': {
    displayName: 'Tariff',
    ru: 'Тарифы',
    en: 'Tariffs',
    fields: {
      name: ['Название', 'Name', undefined, 'Переговорная на час'],
      slug: ['Код', 'Slug', 'Латиницей, для ссылок и бота', 'meeting-hour'],
      description: ['Описание', 'Description', 'Участники видят его в боте'],
      resources: ['Ресурсы', 'Resources', 'Что бронируется по этому тарифу'],
      billingUnit: ['Единица оплаты', 'Billing unit', 'hour — час, day — день, month — месяц'],
      price: ['Цена за единицу', 'Price per unit', MONEY],
      minUnits: ['Минимум единиц', 'Min units'],
      maxUnits: ['Максимум единиц', 'Max units'],
      requiresApproval: ['Нужно подтверждение', 'Requires approval', 'Бронирование ждёт подтверждения сотрудника'],
      trialOnce: ['Пробный, один раз', 'Trial, once per member'],
      isActive: ['Активен', 'Active'],
      isPublic: ['Виден участникам', 'Public', 'Скрытый тариф доступен только сотрудникам'],
      durationDiscounts: ['Скидки за длительность', 'Duration discounts', 'Например [{"minUnits": 3, "percent": 10}]'],
      freeCancellationHours: ['Бесплатная отмена, часов до начала', 'Free cancellation, hours before start'],
      lateCancellationRefundPercent: ['Возврат при поздней отмене, %', 'Late cancellation refund, %'],
      rubitimeServiceId: ['ID услуги в Rubitime', 'Rubitime service ID'],
      sortOrder: ['Порядок', 'Sort order', 'Меньше — выше в списке'],
      color: ['Цвет', 'Colour', undefined, '#22c55e'],
    },
  },
  'api::booking.booking': {
    displayName: 'Booking',
    ru: 'Бронирования',
    en: 'Bookings',
    fields: {
      label: ['Бронирование', 'Booking', 'Номер, участник и начало; заполняет сервер'],
      member: ['Участник', 'Member'],
      tariff: ['Тариф', 'Tariff'],
      resource: ['Ресурс', 'Resource'],
      startAt: ['Начало', 'Start', 'Перенос — кнопкой «Перенести» в панели действий'],
      endAt: ['Окончание', 'End'],
      units: ['Единиц', 'Units', 'Часов, дней или месяцев — по тарифу'],
      state: ['Статус', 'State', 'Меняется только действиями бронирования (подтвердить, отклонить, отменить, оплачено)'],
      priceBase: ['Цена без скидок', 'Base price', MONEY],
      discountTotal: ['Скидка', 'Discount', MONEY],
      priceTotal: ['Итого', 'Total', `${MONEY}; исправление цены — действием «Исправить цену»`],
      currency: ['Валюта', 'Currency'],
      discounts: ['Скидки', 'Discounts', 'Из чего сложилась скидка'],
      promocode: ['Промокод', 'Promo code'],
      holdExpiresAt: ['Бронь держится до', 'Hold expires at', 'До этого времени ждём оплату'],
      source: ['Источник', 'Source', 'bot — бот, admin — сотрудник, api — API, miniapp — мини-приложение'],
      cancelledAt: ['Отменено', 'Cancelled at'],
      cancelReason: ['Причина отмены', 'Cancellation reason'],
      cancelledBy: ['Кто отменил', 'Cancelled by'],
      confirmedAt: ['Подтверждено', 'Confirmed at'],
      confirmedBy: ['Кто подтвердил', 'Confirmed by'],
      rubitimeRecordId: ['ID записи в Rubitime', 'Rubitime record ID'],
      comment: ['Комментарий', 'Comment', undefined, 'Например: нужен проектор'],
      idempotencyKey: ['Ключ идемпотентности', 'Idempotency key', SERVER],
      payments: ['Платежи', 'Payments'],
    },
  },
  'api::promocode.promocode': {
    displayName: 'Promo code',
    ru: 'Промокоды',
    en: 'Promo codes',
    fields: {
      code: ['Код', 'Code', 'Хранится заглавными буквами; участники вводят в любом регистре', 'SUMMER10'],
      description: ['Описание', 'Description'],
      kind: ['Вид скидки', 'Kind', 'percent — процент, fixed — сумма'],
      value: ['Размер скидки', 'Value', 'Процент (1–100) или сумма в копейках'],
      validFrom: ['Действует с', 'Valid from'],
      validUntil: ['Действует до', 'Valid until'],
      maxUses: ['Всего использований', 'Max uses', 'Пусто — без ограничения'],
      maxUsesPerMember: ['Использований на участника', 'Max uses per member'],
      usedCount: ['Использован, раз', 'Used', SERVER],
      tariffs: ['Тарифы', 'Tariffs', 'Пусто — на все тарифы'],
      minOrderAmount: ['Минимальная сумма заказа', 'Minimum order', MONEY],
      isActive: ['Активен', 'Active'],
    },
  },
  'api::promocode-redemption.promocode-redemption': {
    displayName: 'Promo code redemption',
    ru: 'Применения промокодов',
    en: 'Promo code redemptions',
    fields: {
      promocode: ['Промокод', 'Promo code'],
      member: ['Участник', 'Member'],
      booking: ['Бронирование', 'Booking'],
      amount: ['Скидка', 'Discount', MONEY],
      state: ['Статус', 'State', 'reserved — зарезервирован, used — использован, released — возвращён'],
    },
  },
  'api::payment.payment': {
    displayName: 'Payment',
    ru: 'Платежи',
    en: 'Payments',
    fields: {
      booking: ['Бронирование', 'Booking'],
      member: ['Участник', 'Member'],
      provider: ['Способ оплаты', 'Provider', 'yookassa — онлайн, manual — на стойке'],
      providerPaymentId: ['ID платежа в ЮKassa', 'Provider payment ID'],
      idempotenceKey: ['Ключ идемпотентности', 'Idempotence key', SERVER],
      amount: ['Сумма', 'Amount', MONEY],
      currency: ['Валюта', 'Currency'],
      state: ['Статус', 'State', 'Следует за ЮKassa'],
      confirmationUrl: ['Ссылка на оплату', 'Payment link'],
      paidAt: ['Оплачено', 'Paid at'],
      cancellationReason: ['Причина отмены', 'Cancellation reason'],
      receipt: ['Чек', 'Receipt'],
      lastPayload: ['Последний ответ ЮKassa', 'Last provider payload'],
      refunds: ['Возвраты', 'Refunds'],
    },
  },
  'api::refund.refund': {
    displayName: 'Refund',
    ru: 'Возвраты',
    en: 'Refunds',
    fields: {
      payment: ['Платёж', 'Payment'],
      amount: ['Сумма', 'Amount', MONEY],
      currency: ['Валюта', 'Currency'],
      state: ['Статус', 'State', 'Следует за ЮKassa'],
      providerRefundId: ['ID возврата в ЮKassa', 'Provider refund ID'],
      reason: ['Причина', 'Reason'],
      idempotenceKey: ['Ключ идемпотентности', 'Idempotence key', SERVER],
    },
  },
  'api::ticket.ticket': {
    displayName: 'Ticket',
    ru: 'Обращения',
    en: 'Tickets',
    fields: {
      member: ['Участник', 'Member'],
      subject: ['Тема', 'Subject', undefined, 'Не работает Wi-Fi'],
      state: ['Статус', 'State', 'open — новое, in_progress — в работе, resolved — решено, closed — закрыто'],
      priority: ['Приоритет', 'Priority', 'low, normal, high, urgent'],
      assignee: ['Ответственный', 'Assignee'],
      messages: ['Сообщения', 'Messages'],
      lastMessageAt: ['Последнее сообщение', 'Last message at'],
    },
  },
  'api::ticket-message.ticket-message': {
    displayName: 'Ticket message',
    ru: 'Сообщения обращений',
    en: 'Ticket messages',
    fields: {
      ticket: ['Обращение', 'Ticket'],
      authorType: ['Автор', 'Author', 'member — участник, staff — сотрудник'],
      authorMember: ['Участник-автор', 'Member author'],
      authorStaff: ['Сотрудник-автор', 'Staff author'],
      body: ['Текст', 'Text'],
      attachments: ['Вложения', 'Attachments'],
    },
  },
  'api::newsletter.newsletter': {
    displayName: 'Newsletter',
    ru: 'Рассылки',
    en: 'Newsletters',
    fields: {
      title: ['Название', 'Title', 'Для сотрудников; участники его не видят', 'Новости декабря'],
      body: ['Текст (Telegram)', 'Body (Telegram)', 'HTML в формате Telegram: <b>, <i>, <a href>'],
      bodyEn: ['Текст на английском', 'Body in English', 'Для участников с английским языком; пусто — русский текст'],
      channels: ['Каналы', 'Channels', 'telegram, email'],
      subject: ['Тема письма', 'E-mail subject'],
      subjectEn: ['Тема письма на английском', 'E-mail subject in English'],
      emailHtml: ['Текст письма (HTML)', 'E-mail body (HTML)', 'Пусто — письмо из текста для Telegram'],
      emailHtmlEn: ['Текст письма на английском', 'E-mail body in English'],
      buttons: ['Кнопки-ссылки', 'Link buttons'],
      media: ['Изображения', 'Media', 'До 10 картинок'],
      telegramFileIds: ['Файлы в Telegram', 'Telegram file ids', SERVER],
      segment: ['Аудитория', 'Segment', 'all — все, new — новые, active — активные, inactive — неактивные, vip, tariff — по тарифу, upcoming — с бронью на дату, custom — список'],
      segmentParams: ['Параметры аудитории', 'Segment parameters'],
      onlyMarketingConsent: ['Только давшим согласие', 'Only with marketing consent', 'Выключено — служебное уведомление для всех'],
      state: ['Статус', 'State'],
      scheduledAt: ['Запланировано на', 'Scheduled at'],
      startedAt: ['Начата', 'Started at'],
      finishedAt: ['Завершена', 'Finished at'],
      materialisedAt: ['Список получателей составлен', 'Recipients listed at', SERVER],
      pausedAt: ['Приостановлена', 'Paused at'],
      lockedBy: ['Кем занята', 'Locked by', SERVER],
      lockedUntil: ['Занята до', 'Locked until', SERVER],
      lastError: ['Последняя ошибка', 'Last error'],
      createdByLabel: ['Автор', 'Created by'],
      sentByLabel: ['Кто отправил', 'Sent by'],
      totalCount: ['Получателей', 'Recipients'],
      sentCount: ['Отправлено', 'Sent'],
      failedCount: ['Ошибок', 'Failed'],
      blockedCount: ['Заблокировали бота', 'Blocked the bot'],
      cancelledCount: ['Отменено', 'Cancelled'],
      openedCount: ['Открыли письмо', 'Opened'],
      clickedCount: ['Перешли по ссылке', 'Clicked'],
    },
  },
  'api::newsletter-delivery.newsletter-delivery': {
    displayName: 'Newsletter delivery',
    ru: 'Доставки рассылок',
    en: 'Newsletter deliveries',
    fields: {
      newsletter: ['Рассылка', 'Newsletter'],
      member: ['Участник', 'Member'],
      newsletterRef: ['Номер рассылки', 'Newsletter number', SERVER],
      memberRef: ['Номер участника', 'Member number', SERVER],
      channel: ['Канал', 'Channel'],
      deliveryKey: ['Ключ доставки', 'Delivery key', SERVER],
      telegramId: ['Telegram ID', 'Telegram ID'],
      email: ['E-mail', 'E-mail'],
      language: ['Язык', 'Language'],
      state: ['Статус', 'State', 'queued — в очереди, sending — отправляется, sent — отправлено, failed — ошибка, blocked — недоступен, cancelled — отменено'],
      attempts: ['Попыток', 'Attempts'],
      runAfter: ['Повторить после', 'Retry after', SERVER],
      lockedBy: ['Кем занята', 'Locked by', SERVER],
      lockedUntil: ['Занята до', 'Locked until', SERVER],
      errorCode: ['Код ошибки', 'Error code'],
      error: ['Ошибка', 'Error'],
      sentAt: ['Отправлено', 'Sent at'],
      telegramMessageId: ['ID сообщения в Telegram', 'Telegram message ID'],
      providerMessageId: ['ID письма', 'E-mail message ID'],
      openedAt: ['Открыто', 'Opened at'],
      clickedAt: ['Переход по ссылке', 'Clicked at'],
      clickCount: ['Переходов', 'Clicks'],
    },
  },
  'api::newsletter-template.newsletter-template': {
    displayName: 'Newsletter template',
    ru: 'Шаблоны рассылок',
    en: 'Newsletter templates',
    fields: {
      name: ['Название', 'Name'],
      description: ['Описание', 'Description'],
      subject: ['Тема письма', 'E-mail subject'],
      html: ['Текст письма (HTML)', 'E-mail body (HTML)', 'Переменные: {{firstName}}, {{fullName}} …'],
      body: ['Текст для Telegram', 'Telegram body'],
    },
  },
  'api::outbox-job.outbox-job': {
    displayName: 'Outbox job',
    ru: 'Фоновые задачи',
    en: 'Outbox jobs',
    fields: {
      kind: ['Вид задачи', 'Kind'],
      payload: ['Данные', 'Payload'],
      state: ['Статус', 'State', 'queued — в очереди, running — выполняется, done — готово, failed — ошибка (повторим), dead — не выполнена'],
      attempts: ['Попыток', 'Attempts'],
      maxAttempts: ['Максимум попыток', 'Max attempts'],
      runAfter: ['Выполнить после', 'Run after'],
      lockedUntil: ['Занята до', 'Locked until'],
      lockedBy: ['Кем занята', 'Locked by'],
      lastError: ['Последняя ошибка', 'Last error'],
      dedupeKey: ['Ключ дедупликации', 'Dedupe key'],
      finishedAt: ['Завершена', 'Finished at'],
    },
  },
  'api::audit-log.audit-log': {
    displayName: 'Audit log',
    ru: 'Журнал действий',
    en: 'Audit log',
    fields: {
      actorType: ['Кто', 'Actor type', 'admin — сотрудник, member — участник, system — система, bot — бот, api — интеграция'],
      actorId: ['ID того, кто действовал', 'Actor ID'],
      actorLabel: ['Кто действовал', 'Actor'],
      action: ['Действие', 'Action'],
      subjectType: ['Тип записи', 'Subject type'],
      subjectId: ['ID записи', 'Subject ID'],
      before: ['До', 'Before'],
      after: ['После', 'After'],
      ip: ['IP-адрес', 'IP address'],
      at: ['Когда', 'At'],
    },
  },
  'api::ip-ban.ip-ban': {
    displayName: 'IP ban',
    ru: 'Блокировки IP',
    en: 'IP bans',
    fields: {
      address: ['Адрес или диапазон', 'Address or range', 'IP-адрес или диапазон CIDR', '203.0.113.0/24'],
      reason: ['Причина', 'Reason'],
      expiresAt: ['Действует до', 'Expires at', 'Пусто — бессрочно; прошедшая дата снимает блокировку'],
      source: ['Источник', 'Source', `${SERVER}: staff — сотрудник, automatic — автоматически`],
      bannedBy: ['Кто заблокировал', 'Banned by', SERVER],
    },
  },
  'api::member-note.member-note': {
    displayName: 'Member note',
    ru: 'Заметки об участниках',
    en: 'Member notes',
    fields: {
      member: ['Участник', 'Member'],
      body: ['Текст', 'Text', 'Видна только сотрудникам'],
      authorLabel: ['Автор', 'Author', SERVER],
      author: ['Сотрудник', 'Staff member'],
    },
  },
};

/**
 * Values of enumeration fields, as the content manager's list filters show them (it looks each value up as a
 * bare message id). "new" (a newsletter segment) is left out: Strapi uses that id for its own "New" label.
 */
export const ENUM_VALUE_TEXTS: Readonly<Record<string, readonly [ru: string, en: string]>> = {
  pending_payment: ['Ждёт оплаты', 'Pending payment'],
  awaiting_confirmation: ['Ждёт подтверждения', 'Awaiting confirmation'],
  confirmed: ['Подтверждено', 'Confirmed'],
  completed: ['Завершено', 'Completed'],
  rejected: ['Отклонено', 'Rejected'],
  cancelled: ['Отменено', 'Cancelled'],
  canceled: ['Отменён', 'Canceled'],
  expired: ['Истекло', 'Expired'],
  pending: ['В ожидании', 'Pending'],
  waiting_for_capture: ['Ждёт списания', 'Waiting for capture'],
  succeeded: ['Успешно', 'Succeeded'],
  RUB: ['₽ (рубли)', 'RUB'],
  bot: ['Бот', 'Bot'],
  admin: ['Сотрудник', 'Staff'],
  api: ['API', 'API'],
  miniapp: ['Мини-приложение', 'Mini app'],
  yookassa: ['ЮKassa', 'YooKassa'],
  manual: ['На стойке', 'At the desk'],
  percent: ['Процент', 'Percent'],
  fixed: ['Сумма', 'Fixed amount'],
  hour: ['Час', 'Hour'],
  day: ['День', 'Day'],
  month: ['Месяц', 'Month'],
  meeting_room: ['Переговорная', 'Meeting room'],
  open_space: ['Открытое пространство', 'Open space'],
  office: ['Офис', 'Office'],
  other: ['Другое', 'Other'],
  all: ['Все', 'All'],
  active: ['Активные', 'Active'],
  inactive: ['Неактивные', 'Inactive'],
  vip: ['VIP', 'VIP'],
  tariff: ['По тарифу', 'By tariff'],
  custom: ['Список', 'Custom list'],
  upcoming: ['С бронью на дату', 'Upcoming booking'],
  telegram: ['Telegram', 'Telegram'],
  email: ['E-mail', 'E-mail'],
  draft: ['Черновик', 'Draft'],
  scheduled: ['Запланирована', 'Scheduled'],
  sending: ['Отправляется', 'Sending'],
  paused: ['На паузе', 'Paused'],
  sent: ['Отправлено', 'Sent'],
  failed: ['Ошибка', 'Failed'],
  queued: ['В очереди', 'Queued'],
  blocked: ['Бот заблокирован', 'Bot blocked'],
  running: ['Выполняется', 'Running'],
  done: ['Готово', 'Done'],
  dead: ['Не выполнена', 'Dead'],
  open: ['Новое', 'Open'],
  in_progress: ['В работе', 'In progress'],
  resolved: ['Решено', 'Resolved'],
  closed: ['Закрыто', 'Closed'],
  low: ['Низкий', 'Low'],
  normal: ['Обычный', 'Normal'],
  high: ['Высокий', 'High'],
  urgent: ['Срочный', 'Urgent'],
  member: ['Участник', 'Member'],
  staff: ['Сотрудник', 'Staff'],
  system: ['Система', 'System'],
  automatic: ['Автоматически', 'Automatic'],
  reserved: ['Зарезервирован', 'Reserved'],
  used: ['Использован', 'Used'],
  released: ['Возвращён', 'Released'],
  ru: ['Русский', 'Russian'],
  en: ['Английский', 'English'],
};

/** The field's texts: its own, or the common ones (timestamps, ids). */
export function fieldText(uid: string, field: string): FieldText | undefined {
  return CONTENT_TYPE_TEXTS[uid]?.fields[field] ?? COMMON_FIELDS[field];
}

/**
 * Admin translations for one locale: every field label under the content manager's key, every content-type
 * name under its display name (the key the content manager's menu and list titles use) and enumeration values.
 */
export function contentManagerTranslations(locale: 'ru' | 'en'): Record<string, string> {
  const messages: Record<string, string> = {};
  const index = locale === 'ru' ? 0 : 1;
  for (const [value, text] of Object.entries(ENUM_VALUE_TEXTS)) messages[value] = text[index];
  for (const [uid, type] of Object.entries(CONTENT_TYPE_TEXTS)) {
    messages[type.displayName] = type[locale];
    for (const [field, text] of Object.entries({ ...COMMON_FIELDS, ...type.fields })) {
      messages[`content-manager.content-types.${uid}.${field}`] = text[index];
    }
  }
  return messages;
}
