/**
 * What the demo space offers: resources, tariffs and promo codes. The original system's tariffs are
 * expressed as typed fields (billing unit, approval, trial, duration discounts) instead of names.
 * Money is in kopecks.
 */
import { addDays, type DateKey, DAY_MS, HISTORY_DAYS, type Timeline, type Weekday } from './calendar';
import type { DurationDiscount } from '../../src/domain/pricing';

/**
 * Opening hours: for each weekday, the local ("Europe/Moscow") intervals the resource is open,
 * as { open: "HH:MM", close: "HH:MM" } with close after open on the same day; several intervals
 * allow a break; an empty list means closed all day. Example: { "mon": [{ "open": "09:00", "close": "21:00" }], "sun": [] }.
 */
export interface OpeningInterval {
  open: string;
  close: string;
}
export type OpeningHours = Record<Weekday, OpeningInterval[]>;

export interface ResourceSeed {
  slug: string;
  name: string;
  kind: 'meeting_room' | 'open_space' | 'office' | 'other';
  description: string;
  capacity: number;
  openingHours: OpeningHours;
  /** Local dates (`YYYY-MM-DD`) on which the resource is closed whatever its opening hours say. */
  closedDates: DateKey[];
  bufferMinutes: number;
  isActive: boolean;
  color: string;
  location: string;
}

export interface TariffSeed {
  slug: string;
  name: string;
  description: string;
  resourceSlugs: string[];
  billingUnit: 'hour' | 'day' | 'month';
  price: number;
  minUnits: number;
  maxUnits: number;
  requiresApproval: boolean;
  trialOnce: boolean;
  isActive: boolean;
  isPublic: boolean;
  durationDiscounts: DurationDiscount[];
  freeCancellationHours: number;
  lateCancellationRefundPercent: number;
  sortOrder: number;
  color: string;
}

export interface PromocodeSeed {
  code: string;
  description: string;
  kind: 'percent' | 'fixed';
  value: number;
  validFrom: Date | null;
  validUntil: Date | null;
  maxUses: number | null;
  maxUsesPerMember: number | null;
  /** Tariffs the code is limited to; empty = every tariff. */
  tariffSlugs: string[];
  minOrderAmount: number;
  isActive: boolean;
}

export interface Catalogue {
  resources: ResourceSeed[];
  tariffs: TariffSeed[];
  promocodes: PromocodeSeed[];
}

export const RESOURCE = { meetingRoom: 'meeting-room', openSpace: 'open-space', kidsRoom: 'kids-room' } as const;
export const TARIFF = {
  dayPass: 'open-space-day',
  meetingHour: 'meeting-room-hour',
  deskMonth: 'desk-month',
  trialDay: 'trial-day',
  kidsHour: 'kids-room-hour',
} as const;

const LOCATION = 'Санкт-Петербург, Малый проспект В.О., 12';

const interval = (open: string, close: string): OpeningInterval[] => [{ open, close }];
const week = (weekday: OpeningInterval[], saturday: OpeningInterval[], sunday: OpeningInterval[]): OpeningHours => ({
  mon: weekday,
  tue: weekday,
  wed: weekday,
  thu: weekday,
  fri: weekday,
  sat: saturday,
  sun: sunday,
});

/** Russian public holidays (month-day) on which the space is closed. */
const PUBLIC_HOLIDAYS = ['01-01', '01-02', '01-07', '02-23', '03-08', '05-01', '05-09', '06-12', '11-04'];

/** The holidays from the start of the demo history to a year after its anchor. */
export function holidaysAround(timeline: Timeline): DateKey[] {
  const until = addDays(timeline.today, 365);
  const firstYear = Number(timeline.firstDay.slice(0, 4));
  const dates: DateKey[] = [];
  for (let year = firstYear; year <= firstYear + 2; year++) {
    for (const monthDay of PUBLIC_HOLIDAYS) {
      const date = `${year}-${monthDay}`;
      if (date >= timeline.firstDay && date <= until) dates.push(date);
    }
  }
  return dates;
}

export function buildCatalogue(timeline: Timeline): Catalogue {
  const closedDates = holidaysAround(timeline);
  const resources: ResourceSeed[] = [
    {
      slug: RESOURCE.meetingRoom,
      name: 'Переговорная',
      kind: 'meeting_room',
      description: 'Переговорная на 8 человек с экраном и маркерной доской. Бронируется одной группой целиком.',
      capacity: 1,
      openingHours: week(interval('09:00', '21:00'), interval('10:00', '18:00'), []),
      closedDates,
      // Time to air and tidy the room between two groups.
      bufferMinutes: 15,
      isActive: true,
      color: '#3182CE',
      location: LOCATION,
    },
    {
      slug: RESOURCE.openSpace,
      name: 'Опенспейс',
      kind: 'open_space',
      description: 'Общий зал на 30 рабочих мест: кухня, кофе, принтер, быстрый Wi-Fi.',
      capacity: 30,
      openingHours: week(interval('08:00', '22:00'), interval('10:00', '20:00'), interval('10:00', '20:00')),
      closedDates,
      bufferMinutes: 0,
      isActive: true,
      color: '#38A169',
      location: LOCATION,
    },
    {
      slug: RESOURCE.kidsRoom,
      name: 'Детская комната',
      kind: 'other',
      description: 'Игровая комната для детей участников: одна семья за раз, по предварительному подтверждению.',
      capacity: 1,
      openingHours: week(interval('10:00', '19:00'), interval('11:00', '17:00'), []),
      closedDates,
      bufferMinutes: 0,
      isActive: true,
      color: '#D69E2E',
      location: LOCATION,
    },
  ];

  const tariffs: TariffSeed[] = [
    {
      slug: TARIFF.dayPass,
      name: 'Опенспейс на день',
      description: 'Любое свободное место в опенспейсе на весь день.',
      resourceSlugs: [RESOURCE.openSpace],
      billingUnit: 'day',
      price: 70000,
      minUnits: 1,
      maxUnits: 1,
      requiresApproval: false,
      trialOnce: false,
      isActive: true,
      isPublic: true,
      durationDiscounts: [],
      freeCancellationHours: 24,
      lateCancellationRefundPercent: 50,
      sortOrder: 10,
      color: '#38A169',
    },
    {
      slug: TARIFF.meetingHour,
      name: 'Переговорная (почасово)',
      description: 'Переговорная комната с оплатой по часам, от 1 до 8 часов. От 3 часов скидка 10 %.',
      resourceSlugs: [RESOURCE.meetingRoom],
      billingUnit: 'hour',
      price: 100000,
      minUnits: 1,
      maxUnits: 8,
      requiresApproval: false,
      trialOnce: false,
      isActive: true,
      isPublic: true,
      durationDiscounts: [{ minUnits: 3, percent: 10 }],
      freeCancellationHours: 24,
      lateCancellationRefundPercent: 50,
      sortOrder: 20,
      color: '#3182CE',
    },
    {
      slug: TARIFF.deskMonth,
      name: 'Рабочее место на месяц',
      description: 'Место в опенспейсе на срок от 1 до 12 месяцев. От 6 месяцев скидка 10 %, от 12 месяцев 15 %.',
      resourceSlugs: [RESOURCE.openSpace],
      billingUnit: 'month',
      price: 1200000,
      minUnits: 1,
      maxUnits: 12,
      requiresApproval: false,
      trialOnce: false,
      isActive: true,
      isPublic: true,
      durationDiscounts: [
        { minUnits: 6, percent: 10 },
        { minUnits: 12, percent: 15 },
      ],
      freeCancellationHours: 72,
      lateCancellationRefundPercent: 0,
      sortOrder: 30,
      color: '#805AD5',
    },
    {
      slug: TARIFF.trialDay,
      name: 'Тестовый день',
      description: 'Первый день в опенспейсе по специальной цене. Один раз для каждого участника.',
      resourceSlugs: [RESOURCE.openSpace],
      billingUnit: 'day',
      price: 30000,
      minUnits: 1,
      maxUnits: 1,
      requiresApproval: false,
      trialOnce: true,
      isActive: true,
      isPublic: true,
      durationDiscounts: [],
      freeCancellationHours: 12,
      lateCancellationRefundPercent: 0,
      sortOrder: 5,
      color: '#DD6B20',
    },
    {
      slug: TARIFF.kidsHour,
      name: 'Детская комната',
      description: 'Бесплатно для участников, по часам. Бронь подтверждает администратор.',
      resourceSlugs: [RESOURCE.kidsRoom],
      billingUnit: 'hour',
      price: 0,
      minUnits: 1,
      maxUnits: 4,
      requiresApproval: true,
      trialOnce: false,
      isActive: true,
      isPublic: true,
      durationDiscounts: [],
      freeCancellationHours: 2,
      lateCancellationRefundPercent: 0,
      sortOrder: 40,
      color: '#D69E2E',
    },
  ];

  const start = timeline.anchor.getTime() - HISTORY_DAYS * DAY_MS;
  const promocodes: PromocodeSeed[] = [
    {
      code: 'WELCOME10',
      description: 'Скидка 10 % на первую бронь новым участникам.',
      kind: 'percent',
      value: 10,
      validFrom: new Date(start),
      validUntil: null,
      maxUses: null,
      maxUsesPerMember: 1,
      tariffSlugs: [],
      minOrderAmount: 0,
      isActive: true,
    },
    {
      code: 'FRIENDS15',
      description: 'Партнёрская рассылка: 15 %, всего 40 использований.',
      kind: 'percent',
      value: 15,
      validFrom: new Date(start),
      validUntil: null,
      maxUses: 40,
      maxUsesPerMember: null,
      tariffSlugs: [],
      minOrderAmount: 0,
      isActive: true,
    },
    {
      code: 'MEET20',
      description: '20 % на переговорную.',
      kind: 'percent',
      value: 20,
      validFrom: new Date(start),
      validUntil: null,
      maxUses: null,
      maxUsesPerMember: 3,
      tariffSlugs: [TARIFF.meetingHour],
      minOrderAmount: 0,
      isActive: true,
    },
    {
      code: 'SALE500',
      description: 'Акция: 500 ₽ с заказа от 1 000 ₽ в первые три месяца. Срок действия истёк.',
      kind: 'fixed',
      value: 50000,
      validFrom: new Date(start),
      validUntil: new Date(start + 90 * DAY_MS),
      maxUses: null,
      maxUsesPerMember: 2,
      tariffSlugs: [],
      minOrderAmount: 100000,
      isActive: true,
    },
    {
      code: 'FREEDAY',
      description: 'День в опенспейсе бесплатно (розыгрыш в канале).',
      kind: 'percent',
      value: 100,
      validFrom: new Date(start),
      validUntil: null,
      maxUses: 15,
      maxUsesPerMember: 1,
      tariffSlugs: [TARIFF.dayPass],
      minOrderAmount: 0,
      isActive: true,
    },
  ];

  return { resources, tariffs, promocodes };
}
